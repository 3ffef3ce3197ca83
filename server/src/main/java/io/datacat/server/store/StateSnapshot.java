package io.datacat.server.store;

/** The full state of a session right after the patch {@code key} was merged. */
public record StateSnapshot(StateKey key, String state) {
}
