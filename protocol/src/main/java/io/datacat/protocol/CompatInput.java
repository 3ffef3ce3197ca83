package io.datacat.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What existing clients send loosely, made into valid record fields by the daemon's and the
 * server's compatible routes alike. The original API accepted these, so refusing them would
 * make an old client raise an error inside the game.
 */
public final class CompatInput {
    /** The name of an event or metric sent with an empty one. */
    public static final String UNNAMED = "(unnamed)";

    private CompatInput() {
    }

    /** A missing, null or blank {@code name} becomes {@link #UNNAMED}; any other value is left to validation. */
    public static void nameIfBlank(ObjectNode fields) {
        JsonNode name = fields.get("name");
        if (name == null || name.isNull() || name.isTextual() && name.asText().isBlank()) {
            fields.put("name", UNNAMED);
        }
    }

    /**
     * The metric type of a compatible body: gauge when {@code type} is missing, null or empty,
     * and also when it is a type DataCat does not know ({@code "rate"}), whose name is then kept
     * as {@code metadata.type}. Null when {@code type} is not text (a 400 follows).
     */
    public static MetricType metricType(ObjectNode fields) {
        JsonNode type = fields.get("type");
        if (type == null || type.isNull() || type.isTextual() && type.asText().isEmpty()) {
            return MetricType.GAUGE;
        }
        if (!type.isTextual()) {
            return null;
        }
        MetricType known = MetricType.fromWire(type.asText());
        if (known != null) {
            return known;
        }
        JsonNode metadata = fields.get("metadata");
        if (metadata == null || metadata.isNull()) {
            fields.putObject("metadata").put("type", type.asText());
        } else if (metadata instanceof ObjectNode m) {
            m.put("type", type.asText());
        }
        return MetricType.GAUGE;
    }
}
