package io.datacat.server.ui;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.Json;
import io.datacat.protocol.Timestamps;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Records of a believable game session for the browser tests, sent through the real ingest
 * route: a start, state updates, events, a caught exception, a second of metrics at a time
 * (fps gauge, frame time histogram with buckets, a counter), then whatever ending a test asks for.
 */
final class GameSessions {
    private final String sid;
    private final long start;
    private final List<ObjectNode> records = new ArrayList<>();
    private long seq;

    private GameSessions(String sid, long start) {
        this.sid = sid;
        this.start = start;
    }

    /** A session that started {@code secondsAgo} seconds ago. */
    static GameSessions session(String sid, String product, String version, int secondsAgo) {
        GameSessions s = new GameSessions(sid, Timestamps.nowMicros() - secondsAgo * 1_000_000L);
        s.add(0, "session_start").put("product", product).put("version", version).put("hostname", "rig-07")
                .put("machine_id", "m-4f2a").put("pid", 31337).put("client", "java/0.1.0");
        return s;
    }

    String id() {
        return sid;
    }

    /** A record {@code ms} milliseconds after the start. */
    ObjectNode add(long ms, String kind) {
        ObjectNode r = Json.mapper().createObjectNode().put("sid", sid).put("seq", ++seq).put("kind", kind)
                .put("ts", start + ms * 1_000);
        records.add(r);
        return r;
    }

    GameSessions event(long ms, String name, String level, String message) {
        ObjectNode r = add(ms, "event").put("name", name).put("level", level);
        if (message != null) {
            r.put("message", message);
        }
        return this;
    }

    GameSessions state(long ms, String patchJson) {
        add(ms, "state").set("patch", Json.parseObject(patchJson.getBytes(StandardCharsets.UTF_8)));
        return this;
    }

    /** One record per second of play: fps, frame time and shots fired. */
    GameSessions metrics(int seconds) {
        for (int i = 1; i <= seconds; i++) {
            long ms = i * 1_000L;
            add(ms, "metric").put("name", "fps").put("type", "gauge").put("value", 58 + (i % 3));
            ObjectNode h = add(ms, "metric").put("name", "frame_time_ms").put("type", "histogram").put("unit", "ms")
                    .put("count", 60).put("sum", 60 * 16.9).put("min", 14.2).put("max", 31.0 + i).put("value", 16.9);
            ArrayNode buckets = h.putArray("buckets");
            buckets.addObject().put("le", 16).put("count", 30);
            buckets.addObject().put("le", 20).put("count", 25);
            buckets.addObject().put("le", 32).put("count", 4);
            buckets.addObject().put("le", "+Inf").put("count", 1);
            add(ms, "metric").put("name", "shots_fired").put("type", "counter").put("value", 3 + i % 2)
                    .putArray("tags").add("weapon:blaster");
        }
        return this;
    }

    GameSessions exception(long ms, String type, String message, String... stack) {
        ObjectNode r = add(ms, "exception").put("name", "exception").put("level", "error")
                .put("exception_type", type).put("exception_msg", message);
        ArrayNode trace = r.putArray("stacktrace");
        for (String line : stack) {
            trace.add(line);
        }
        return this;
    }

    GameSessions hang(long ms, long recoveredAfterMs) {
        ObjectNode h = add(ms, "hang").put("thread", "main").put("timeout_ms", 1_000).put("silent_ms", 1_000)
                .put("detected_by", "client");
        h.putArray("stack").add("\tat game.Assets.loadHuge(Assets.java:88)").add("\tat game.Loop.run(Loop.java:40)");
        add(ms + recoveredAfterMs, "recovered").put("duration_ms", recoveredAfterMs);
        return this;
    }

    GameSessions end(long ms) {
        add(ms, "end");
        return this;
    }

    GameSessions crash(long ms, String type, String message, String... stack) {
        ObjectNode detail = add(ms, "crash").put("reason", "uncaught_exception")
                .put("message", "uncaught " + type + ": " + message).putObject("detail");
        detail.put("thread", "main").put("exception_type", type).put("exception_msg", message);
        ArrayNode trace = detail.putArray("stacktrace");
        for (String line : stack) {
            trace.add(line);
        }
        return this;
    }

    /** The batch body for {@code POST /api/ingest}, with the records added since the last call. */
    String batch() {
        ObjectNode root = Json.mapper().createObjectNode();
        ArrayNode arr = root.putArray("records");
        records.forEach(arr::add);
        records.clear();
        return root.toString();
    }
}
