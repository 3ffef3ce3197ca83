package io.datacat.client.send;

import io.datacat.client.ring.StringList;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The sender thread's aggregates for one session: counters, histograms and timers are
 * summed per metrics interval instead of sent call by call. Lookups of string-keyed calls
 * compare tags in place, so a steady stream of the same metric allocates nothing.
 */
final class Aggregator {
    /** Past this many distinct metrics, further ones are sent raw rather than grow memory. */
    static final int MAX_AGGREGATES = 4_096;

    private final Map<String, Aggregate[]> byName = new HashMap<String, Aggregate[]>();
    private final List<Aggregate> all = new ArrayList<Aggregate>();

    /** The aggregate for a handle, or null when the bound is reached. */
    Aggregate forKey(MetricKey key) {
        if (key.aggregate == null && all.size() < MAX_AGGREGATES) {
            key.aggregate = add(new Aggregate(key.kind(), key.name(), key.tags(), key.unit(), key.bounds()));
        }
        return key.aggregate;
    }

    /** The aggregate for a string-keyed call (tags may be null), or null when the bound is reached. */
    Aggregate forCall(byte kind, String name, StringList tags) {
        Aggregate[] candidates = byName.get(name);
        if (candidates != null) {
            for (Aggregate a : candidates) {
                if (a.kind == kind && sameTags(a.tags, tags)) {
                    return a;
                }
            }
        }
        if (all.size() >= MAX_AGGREGATES) {
            return null;
        }
        String[] copy = new String[tags == null ? 0 : tags.size()];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = tags.get(i);
        }
        Aggregate a = add(new Aggregate(kind, name, copy, kind == MetricKind.TIMER ? "ms" : null, null));
        Aggregate[] grown = candidates == null ? new Aggregate[1] : Arrays.copyOf(candidates, candidates.length + 1);
        grown[grown.length - 1] = a;
        byName.put(name, grown);
        return a;
    }

    private Aggregate add(Aggregate a) {
        all.add(a);
        return a;
    }

    private static boolean sameTags(String[] a, StringList b) {
        if (b == null) {
            return a.length == 0;
        }
        if (a.length != b.size()) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (!a[i].equals(b.get(i))) {
                return false;
            }
        }
        return true;
    }

    boolean hasData() {
        for (int i = 0, n = all.size(); i < n; i++) {
            if (!all.get(i).isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** The aggregates to send now (each is reset by the caller after writing it). */
    List<Aggregate> all() {
        return all;
    }
}
