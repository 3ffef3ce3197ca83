package io.datacat.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.List;

/**
 * Checks one record held as a tree against docs/protocol.md and returns it normalised
 * (defaults filled in). The rules are those of {@link RecordReader}, which reads the tree's
 * tokens here exactly as it reads a request body. Every failure is an
 * {@link InvalidInputException} naming the field.
 */
public final class RecordValidator {

    private RecordValidator() {
    }

    /** Validates {@code node} (found at JSON path {@code path}) and returns the record; {@code node} is not changed. */
    public static WireRecord validate(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            throw new InvalidInputException(path + " must be an object, got " + Json.describe(node), path);
        }
        return validateOwned((ObjectNode) node.deepCopy(), path);
    }

    /** Validates a record the caller owns and will not use otherwise: defaults are filled in place, not in a copy. */
    private static WireRecord validateOwned(ObjectNode body, String path) {
        try (JsonParser p = body.traverse()) {
            p.nextToken();
            RecordReader r = new RecordReader(p, null, null, path);
            r.read(-1);
            return owned(r, body);
        } catch (IOException e) {
            throw Json.parseFailure(e);
        }
    }

    /**
     * Validates the records of a batch tree nobody else uses ({@code records[i]}), filling
     * defaults in place; one reader walks the whole array.
     */
    static void validateOwned(ArrayNode records, List<WireRecord> out) {
        try (JsonParser p = records.traverse()) {
            p.nextToken();
            RecordReader r = new RecordReader(p, null, null, "records");
            for (int i = 0; i < records.size(); i++) {
                JsonNode rec = records.get(i);
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    String path = "records[" + i + "]";
                    throw new InvalidInputException(path + " must be an object, got " + Json.describe(rec), path);
                }
                r.read(i);
                out.add(owned(r, (ObjectNode) rec));
            }
        } catch (IOException e) {
            throw Json.parseFailure(e);
        }
    }

    private static WireRecord owned(RecordReader r, ObjectNode body) {
        r.normalise(body);
        return new WireRecord(r.sid(), r.src(), r.seq(), r.kind(), r.ts(), body);
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
