package io.datacat.server.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The scalar values a state patch sets, as {@link StateValue}s, and the text forms the
 * state filter compares. Bounded, so a huge patch costs ingest no more than a small one.
 */
public final class StateValues {
    /** Values indexed per patch at most; a patch setting more keys is indexed for its first ones. */
    public static final int MAX_PER_PATCH = 256;
    /** Longer strings and paths are not indexed: a filter on them is unlikely and they would bloat the index. */
    public static final int MAX_TEXT_CHARS = 256;

    private StateValues() {
    }

    /** The scalar leaves of a patch (nulls delete and arrays are not indexed). */
    public static List<StateValue> of(ObjectNode patch) {
        List<StateValue> out = new ArrayList<>();
        collect(patch, "", out);
        return out;
    }

    private static void collect(ObjectNode node, String prefix, List<StateValue> out) {
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (out.size() == MAX_PER_PATCH) {
                return;
            }
            String path = StatePath.append(prefix, e.getKey());
            if (path.length() > MAX_TEXT_CHARS) {
                continue;
            }
            JsonNode v = e.getValue();
            if (v instanceof ObjectNode obj) {
                collect(obj, path, out);
            } else if (v.isTextual() && v.textValue().length() <= MAX_TEXT_CHARS) {
                out.add(new StateValue(path, v.textValue()));
            } else if (v.isNumber()) {
                out.add(new StateValue(path, numberText(v.decimalValue())));
            } else if (v.isBoolean()) {
                out.add(new StateValue(path, v.asText()));
            }
        }
    }

    /** A number in its shortest plain form: {@code 3} for 3.0, {@code 1.5}, never an exponent. */
    public static String numberText(BigDecimal n) {
        return n.stripTrailingZeros().toPlainString();
    }

    /** The number a filter value reads as, or null when it is not one. */
    public static BigDecimal number(String text) {
        try {
            return new BigDecimal(text.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** True when every segment can be written as an SQLite JSON path segment. */
    static boolean isPathUsable(List<String> segments) {
        // SQLite's JSON paths can quote neither a '"' nor a '\\' inside a key.
        return segments.stream().noneMatch(s -> s.isEmpty() || s.indexOf('"') >= 0 || s.indexOf('\\') >= 0);
    }

    /** The SQLite JSON path of a key path: {@code $."player"."level"}. */
    static String jsonPath(List<String> segments) {
        StringBuilder p = new StringBuilder("$");
        for (String s : segments) {
            if (s.isEmpty() || s.indexOf('"') >= 0) {
                throw new IllegalArgumentException("a state key segment may not be empty or contain '\"': " + s);
            }
            p.append(".\"").append(s).append('"');
        }
        return p.toString();
    }
}
