package io.datacat.server.store;

import java.util.List;

/**
 * The sessions list's state filter: a key path and the value it holds.
 *
 * @param path  the key's path as {@link StatePath} writes it ({@code player.level}, {@code a\.b})
 * @param value the value as {@link StateValue} writes it
 * @param ever  true: the key held the value at any point; false: it holds it now
 */
public record StateMatch(String path, String value, boolean ever) {

    /** The keys of {@link #path()}; throws IllegalArgumentException for a misplaced {@code \}. */
    public List<String> segments() {
        return StatePath.keys(path);
    }
}
