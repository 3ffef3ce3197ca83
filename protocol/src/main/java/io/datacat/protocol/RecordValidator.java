package io.datacat.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.JsonGeneratorDelegate;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Checks one record held as a tree against docs/protocol.md and returns it normalised
 * (defaults filled in). The tree is written as JSON and read by {@link RecordReader}, so a tree
 * meets exactly the rules and limits a request body meets. Every failure is an
 * {@link InvalidInputException} naming the field.
 */
public final class RecordValidator {

    private RecordValidator() {
    }

    /** Validates {@code node} (found at JSON path {@code path}) and returns the record; {@code node} is not changed. */
    public static WireRecord validate(JsonNode node, String path) {
        return read(node, path, -1);
    }

    /** Validates the records of a batch tree ({@code records[i]}). */
    static void validate(ArrayNode records, List<WireRecord> out) {
        for (int i = 0; i < records.size(); i++) {
            out.add(read(records.get(i), "records", i));
        }
    }

    private static WireRecord read(JsonNode node, String prefix, int index) {
        if (node == null || !node.isObject()) {
            String path = index < 0 ? prefix : prefix + "[" + index + "]";
            throw new InvalidInputException(path + " must be an object, got " + Json.describe(node), path);
        }
        JsonScanner p = JsonScanner.of(json(node), Integer.MAX_VALUE);
        try {
            p.nextToken();
            RecordReader r = new RecordReader(p, prefix);
            r.read(index);
            return r.toWireRecord();
        } catch (IOException e) {
            throw new IllegalStateException("reading bytes in memory cannot fail", e);
        }
    }

    private static byte[] json(JsonNode node) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = new NonFiniteAsOverflow(Json.mapper().createGenerator(out))) {
            Json.mapper().writeTree(g, node);
        } catch (IOException e) {
            throw new UncheckedIOException("writing a tree into memory cannot fail", e);
        }
        return out.toByteArray();
    }

    /**
     * Writes a NaN or infinite double, which a tree built in code may hold, as a number beyond
     * the range of a double: the reader then refuses it as it refuses such a number in a body.
     */
    private static final class NonFiniteAsOverflow extends JsonGeneratorDelegate {
        NonFiniteAsOverflow(JsonGenerator d) {
            super(d, false);
        }

        @Override
        public void writeNumber(double v) throws IOException {
            if (Double.isFinite(v)) {
                super.writeNumber(v);
            } else {
                writeRawValue(v < 0 ? "-1e999" : "1e999");
            }
        }

        @Override
        public void writeNumber(float v) throws IOException {
            writeNumber((double) v);
        }
    }

    /** Checks the form of a session id. */
    public static void checkSessionId(String sid, String path) {
        if (sid == null || !RecordReader.isSessionId(sid)) {
            throw new InvalidInputException(path + " " + RecordReader.SESSION_ID_RULE, path);
        }
    }

    /** Accepts the spellings of +Inf that existing clients send for an open top bucket. */
    public static boolean isInfinity(String s) {
        return switch (s) {
            case "+Inf", "Inf", "inf", "+inf", "Infinity", "+Infinity", "infinity" -> true;
            default -> false;
        };
    }
}
