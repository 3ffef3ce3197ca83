package io.datacat.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Many records of one or more sessions plus cumulative per-session counters; the unit of
 * every hop after the client (docs/protocol.md, "Batches").
 */
public record Batch(List<WireRecord> records, Map<String, SessionCounters> sessions) {

    public Batch {
        records = List.copyOf(records);
        sessions = Map.copyOf(sessions);
    }

    /** Parses and validates a whole batch; any invalid part rejects it all. */
    public static Batch parse(byte[] body) {
        return parse(Json.parseObject(body));
    }

    /** Validates a whole batch; any invalid part rejects it all. {@code root} is not changed. */
    public static Batch parse(ObjectNode root) {
        JsonNode recs = root.get("records");
        JsonNode sess = root.get("sessions");
        if (recs == null && sess == null) {
            throw new InvalidInputException("a batch needs \"records\" (an array) or \"sessions\" (an object)", "records");
        }
        List<WireRecord> records = new ArrayList<>();
        if (recs != null && !recs.isNull()) {
            if (!recs.isArray()) {
                throw new InvalidInputException("\"records\" must be an array, got " + Json.describe(recs), "records");
            }
            if (recs.size() > Limits.MAX_RECORDS_PER_BATCH) {
                throw new InvalidInputException("a batch holds at most " + Limits.MAX_RECORDS_PER_BATCH
                        + " records, got " + recs.size(), "records");
            }
            RecordValidator.validate((ArrayNode) recs, records);
        }
        Map<String, SessionCounters> sessions = new LinkedHashMap<>();
        if (sess != null && !sess.isNull()) {
            if (!sess.isObject()) {
                throw new InvalidInputException("\"sessions\" must be an object, got " + Json.describe(sess), "sessions");
            }
            Iterator<Map.Entry<String, JsonNode>> it = sess.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                String path = "sessions." + e.getKey();
                RecordValidator.checkSessionId(e.getKey(), path);
                if (!e.getValue().isObject()) {
                    throw new InvalidInputException(path + " must be an object", path);
                }
                JsonNode c = e.getValue();
                sessions.put(e.getKey(), new SessionCounters(
                        nonNegative(c, "client_dropped", path),
                        nonNegative(c, "spool_evicted", path),
                        nonNegative(c, "last_heartbeat", path)));
            }
        }
        return new Batch(records, sessions);
    }

    private static long nonNegative(JsonNode c, String field, String path) {
        JsonNode v = c.get(field);
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
            throw new InvalidInputException(path + "." + field + " must be a non-negative integer", path + "." + field);
        }
        return v.asLong();
    }

    /** The batch as JSON, in the wire format {@link #parse(ObjectNode)} reads. */
    public ObjectNode toJson() {
        ObjectNode root = Json.mapper().createObjectNode();
        ArrayNode arr = root.putArray("records");
        for (WireRecord r : records) {
            arr.add(r.body());
        }
        if (!sessions.isEmpty()) {
            ObjectNode s = root.putObject("sessions");
            sessions.forEach((sid, c) -> {
                ObjectNode o = s.putObject(sid);
                o.put("client_dropped", c.clientDropped());
                o.put("spool_evicted", c.spoolEvicted());
                o.put("last_heartbeat", c.lastHeartbeat());
            });
        }
        return root;
    }
}
