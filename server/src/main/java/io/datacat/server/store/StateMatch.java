package io.datacat.server.store;

import java.util.List;

/**
 * The sessions list's state filter: a key path and the value it holds.
 *
 * @param path  the key's path, segments joined by {@code .} ({@code player.level})
 * @param value the value as {@link StateValue} writes it
 * @param ever  true: the key held the value at any point; false: it holds it now
 */
public record StateMatch(String path, String value, boolean ever) {

    public List<String> segments() {
        return List.of(path.split("\\.", -1));
    }
}
