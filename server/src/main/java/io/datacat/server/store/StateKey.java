package io.datacat.server.store;

import io.datacat.protocol.Source;

import java.util.Comparator;

/** The identity of a state patch within its session; patches are merged in this order. */
public record StateKey(Source src, long seq) implements Comparable<StateKey> {
    private static final Comparator<StateKey> ORDER =
            Comparator.comparingInt((StateKey k) -> k.src.code()).thenComparingLong(StateKey::seq);

    @Override
    public int compareTo(StateKey o) {
        return ORDER.compare(this, o);
    }
}
