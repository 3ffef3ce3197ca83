package io.datacat.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Iterator;
import java.util.Map;

/**
 * The state merge of DESIGN section 5: objects merge recursively, any other value (arrays
 * included) replaces, {@code null} deletes the key at any depth.
 */
public final class DeepMerge {
    private DeepMerge() {
    }

    /** Merges {@code patch} into {@code target} in place. {@code patch} is not modified. */
    public static void apply(ObjectNode target, ObjectNode patch) {
        Iterator<Map.Entry<String, JsonNode>> it = patch.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode value = e.getValue();
            if (value.isNull()) {
                target.remove(key);
            } else if (value.isObject()) {
                JsonNode existing = target.get(key);
                // An object replacing a scalar or array starts from empty, so nulls inside it
                // delete nothing and are not stored.
                ObjectNode into = existing instanceof ObjectNode obj ? obj : target.putObject(key);
                apply(into, (ObjectNode) value);
            } else {
                target.set(key, value.deepCopy());
            }
        }
    }
}
