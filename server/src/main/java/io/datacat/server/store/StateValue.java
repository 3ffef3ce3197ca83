package io.datacat.server.store;

/**
 * A scalar that a state key held at some point: the sessions list's "state key = value"
 * filter looks these up.
 *
 * @param path  the key's path from the state's root, segments joined by {@code .}
 * @param value the value as text: a string as it is, a number in its shortest form
 *              ({@code 3}, {@code 1.5}), {@code true} or {@code false}
 */
public record StateValue(String path, String value) {
}
