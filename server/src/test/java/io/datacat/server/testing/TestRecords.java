package io.datacat.server.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.Batch;
import io.datacat.protocol.Json;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Builds wire records and batches for tests. */
public final class TestRecords {
    /** 2025-11-28T01:40:00Z in µs: a fixed client clock for record times. */
    public static final long T0 = 1_764_294_000_000_000L;

    private TestRecords() {
    }

    public static ObjectNode record(String sid, long seq, String kind) {
        return Json.mapper().createObjectNode().put("sid", sid).put("seq", seq).put("kind", kind).put("ts", T0 + seq);
    }

    public static ObjectNode start(String sid, long seq, String product, String version) {
        return record(sid, seq, "session_start").put("product", product).put("version", version)
                .put("hostname", "host-1").put("machine_id", "machine-1").put("pid", 4242).put("client", "java/0.1.0");
    }

    public static ObjectNode event(String sid, long seq, String name, String level) {
        return record(sid, seq, "event").put("name", name).put("level", level);
    }

    public static ObjectNode metric(String sid, long seq, String name, double value) {
        return record(sid, seq, "metric").put("name", name).put("value", value);
    }

    /** A state record whose patch is the given JSON object text. */
    public static ObjectNode state(String sid, long seq, String patchJson) {
        ObjectNode r = record(sid, seq, "state");
        r.set("patch", Json.parseObject(patchJson.getBytes(StandardCharsets.UTF_8)));
        return r;
    }

    public static ObjectNode end(String sid, long seq) {
        return record(sid, seq, "end");
    }

    public static ObjectNode crash(String sid, long seq, String reason) {
        return record(sid, seq, "crash").put("reason", reason);
    }

    /** A daemon-space record (src=daemon). */
    public static ObjectNode daemon(ObjectNode record) {
        return record.put("src", "daemon");
    }

    public static ObjectNode batchJson(ObjectNode... records) {
        ObjectNode root = Json.mapper().createObjectNode();
        ArrayNode arr = root.putArray("records");
        for (ObjectNode r : records) {
            arr.add(r);
        }
        return root;
    }

    public static Batch batch(ObjectNode... records) {
        return Batch.parse(batchJson(records));
    }

    /** A batch with a {@code sessions} map of counters {client_dropped, spool_evicted, last_heartbeat}. */
    public static Batch batch(Map<String, long[]> counters, ObjectNode... records) {
        ObjectNode root = batchJson(records);
        ObjectNode sessions = root.putObject("sessions");
        counters.forEach((sid, c) -> sessions.putObject(sid)
                .put("client_dropped", c[0]).put("spool_evicted", c[1]).put("last_heartbeat", c[2]));
        return Batch.parse(root);
    }
}
