package io.datacat.server.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.Json;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;

/**
 * The stored form of a record's fields: compact JSON of the record without the common
 * fields ({@code sid}, {@code src}, {@code seq}, {@code kind}, {@code ts}), which are
 * columns of their own.
 */
public final class RecordBodies {
    private static final Set<String> COMMON_FIELDS = Set.of("sid", "src", "seq", "kind", "ts");

    private RecordBodies() {
    }

    /**
     * Writes the stored text of validated record bodies, all with one JSON generator:
     * creating a generator per record costs more than writing a small record. Not
     * thread-safe; use one per batch.
     */
    public static final class Encoder {
        private final StringWriter out = new StringWriter(256);
        private final JsonGenerator generator;
        private final SerializerProvider provider = Json.mapper().getSerializerProviderInstance();

        public Encoder() {
            try {
                generator = Json.mapper().getFactory().createGenerator(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            generator.setRootValueSeparator(null);
        }

        public String encode(ObjectNode body) {
            StringBuffer buffer = out.getBuffer();
            buffer.setLength(0);
            try {
                generator.writeStartObject();
                for (Map.Entry<String, JsonNode> e : body.properties()) {
                    if (!COMMON_FIELDS.contains(e.getKey())) {
                        generator.writeFieldName(e.getKey());
                        e.getValue().serialize(generator, provider);
                    }
                }
                generator.writeEndObject();
                generator.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return buffer.toString();
        }
    }

    /** Parses stored JSON object text (a record body, a state, a crash detail). */
    public static ObjectNode decode(String text) {
        try {
            return (ObjectNode) Json.mapper().readTree(text);
        } catch (IOException | ClassCastException e) {
            throw new StoreException("a stored JSON value is corrupt: " + e.getMessage(), e);
        }
    }

    /** Compact JSON text of a stored value. */
    public static String toText(JsonNode node) {
        try {
            return Json.mapper().writeValueAsString(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
