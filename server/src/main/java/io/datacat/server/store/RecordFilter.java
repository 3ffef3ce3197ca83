package io.datacat.server.store;

import io.datacat.protocol.RecordKind;

import java.util.Set;

/**
 * Which records of a session a page shows. Null or empty fields do not filter.
 *
 * @param kinds   record kinds
 * @param levels  event levels (wire names)
 * @param name    exact event or metric name
 * @param fromTs  record time at or after (µs)
 * @param toTs    record time before (µs)
 * @param notable only exceptions and events of level warning or worse (served by their own index)
 * @param after   the page starts after this position
 */
public record RecordFilter(Set<RecordKind> kinds, Set<String> levels, String name, Long fromTs, Long toTs,
                           boolean notable, RecordCursor after) {

    public RecordFilter {
        kinds = kinds == null ? Set.of() : Set.copyOf(kinds);
        levels = levels == null ? Set.of() : Set.copyOf(levels);
    }

    public static RecordFilter of(Set<RecordKind> kinds) {
        return new RecordFilter(kinds, null, null, null, null, false, null);
    }
}
