package io.datacat.server.store;

import java.util.ArrayList;
import java.util.List;

/**
 * A path of state keys as one text, the form the state filter ({@code state_key}), its history
 * index and the state diff use: keys joined by {@code .}, with a {@code .} inside a key written
 * {@code \.} and a {@code \} written {@code \\}, so {@code {"a.b": 1}} ({@code a\.b}) and
 * {@code {"a": {"b": 1}}} ({@code a.b}) have paths of their own. Keys without either read as
 * they are: {@code player.level}.
 */
public final class StatePath {
    private StatePath() {
    }

    /** {@code prefix} (a path, or empty) followed by {@code key}. */
    public static String append(String prefix, String key) {
        String escaped = key.indexOf('.') < 0 && key.indexOf('\\') < 0 ? key
                : key.replace("\\", "\\\\").replace(".", "\\.");
        return prefix.isEmpty() ? escaped : prefix + "." + escaped;
    }

    /**
     * The keys of a path.
     *
     * @throws IllegalArgumentException for a {@code \} that escapes neither {@code .} nor {@code \}
     */
    public static List<String> keys(String path) {
        List<String> keys = new ArrayList<>();
        StringBuilder key = new StringBuilder();
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '.') {
                keys.add(key.toString());
                key.setLength(0);
            } else if (c == '\\') {
                if (i + 1 == path.length() || path.charAt(i + 1) != '.' && path.charAt(i + 1) != '\\') {
                    throw new IllegalArgumentException("a '\\' in a key path escapes a '.' or a '\\' of a key");
                }
                key.append(path.charAt(++i));
            } else {
                key.append(c);
            }
        }
        keys.add(key.toString());
        return keys;
    }
}
