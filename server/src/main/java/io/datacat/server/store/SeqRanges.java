package io.datacat.server.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The stored seqs of one session and source as disjoint ranges, sorted by {@code lo}: which
 * seqs of a batch are new, and the ranges once they are stored. Pure logic; {@link SqlWrites}
 * reads and writes the {@code seq_ranges} rows around it.
 */
final class SeqRanges {

    /** The seqs {@code lo} to {@code hi}, both included. */
    record Range(long lo, long hi) {
    }

    private SeqRanges() {
    }

    /** Whether a range of {@code ranges} (sorted by lo, disjoint) contains {@code seq}. */
    static boolean covers(List<Range> ranges, long seq) {
        int low = 0;
        int high = ranges.size() - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            Range r = ranges.get(mid);
            if (seq < r.lo()) {
                high = mid - 1;
            } else if (seq > r.hi()) {
                low = mid + 1;
            } else {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code ranges} (sorted by lo, disjoint) with {@code seqs[0..count)} added (any order, none
     * of them covered yet), as the fewest disjoint ranges sorted by lo: ranges that touch merge.
     */
    static List<Range> merge(List<Range> ranges, long[] seqs, int count) {
        long[] sorted = Arrays.copyOf(seqs, count);
        Arrays.sort(sorted);
        List<Range> out = new ArrayList<>(ranges.size() + 1);
        int r = 0;
        int s = 0;
        while (r < ranges.size() || s < count) {
            long lo;
            long hi;
            if (s == count || r < ranges.size() && ranges.get(r).lo() < sorted[s]) {
                lo = ranges.get(r).lo();
                hi = ranges.get(r++).hi();
            } else {
                lo = sorted[s];
                hi = sorted[s++];
            }
            Range last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && lo <= last.hi() + 1) {
                out.set(out.size() - 1, new Range(last.lo(), Math.max(last.hi(), hi)));
            } else {
                out.add(new Range(lo, hi));
            }
        }
        return out;
    }
}
