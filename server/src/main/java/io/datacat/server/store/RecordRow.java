package io.datacat.server.store;

import io.datacat.protocol.RecordKind;
import io.datacat.protocol.Source;

/**
 * One record ready to insert: its identity, the columns queries filter on, and the rest of
 * the record as compact JSON ({@code body}, without the common fields that are columns).
 *
 * @param name  event, exception or metric name; null for other kinds
 * @param level event or exception level; null for other kinds
 * @param value metric value; null for other kinds
 */
public record RecordRow(long sk, Source src, long seq, RecordKind kind, long ts, String name, String level,
                        Double value, String body) {
}
