package io.datacat.server.store;

/** A position in the sessions list (newest first: created_at, then id, descending). */
public record SessionCursor(long createdAt, String id) {
}
