package io.datacat.daemon.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.daemon.compat.CompatService;
import io.datacat.daemon.session.ClientBatch;
import io.datacat.daemon.session.RecordWriter;
import io.datacat.daemon.session.SessionEntry;
import io.datacat.daemon.session.SessionRegistry;
import io.datacat.daemon.session.SessionSnapshot;
import io.datacat.protocol.Json;
import io.datacat.protocol.Timestamps;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** The route table of the local API: the Java client's batch route and the compatible routes. */
public final class DaemonRoutes {
    /** A compatible route that answers {@code {"status":"ok"}} after its work. */
    @FunctionalInterface
    private interface CompatCall {
        void apply(ObjectNode body) throws IOException;
    }

    private final RecordWriter writer;
    private final CompatService compat;
    private final SessionRegistry registry;
    private final ServerQueries server;

    private DaemonRoutes(RecordWriter writer, CompatService compat, SessionRegistry registry, ServerQueries server) {
        this.writer = writer;
        this.compat = compat;
        this.registry = registry;
        this.server = server;
    }

    /** @param health the body of {@code GET /health} */
    public static Map<String, LocalApi.Route> table(RecordWriter writer, CompatService compat, SessionRegistry registry,
                                                    ServerQueries server, Supplier<ObjectNode> health) {
        DaemonRoutes r = new DaemonRoutes(writer, compat, registry, server);
        Map<String, LocalApi.Route> t = new LinkedHashMap<>();
        t.put("/v1/batch", LocalApi.Route.post(r::batch));
        t.put("/register", LocalApi.Route.post(r::register));
        t.put("/state", compatRoute(compat::state));
        t.put("/event", compatRoute(compat::event));
        t.put("/metric", compatRoute(compat::metric));
        t.put("/heartbeat", compatRoute(compat::heartbeat));
        t.put("/pause_heartbeat", compatRoute(compat::pauseHeartbeat));
        t.put("/resume_heartbeat", compatRoute(compat::resumeHeartbeat));
        t.put("/end", compatRoute(compat::end));
        t.put("/session", LocalApi.Route.get(r::session));
        t.put("/sessions", LocalApi.Route.get(r::sessions));
        t.put("/health", LocalApi.Route.any(req -> ApiResponse.json(200, health.get())));
        return t;
    }

    private static LocalApi.Route compatRoute(CompatCall call) {
        return LocalApi.Route.post(req -> {
            call.apply(req.json());
            return ApiResponse.ok();
        });
    }

    /** {@code POST /v1/batch}: acked only once the records are in the spool. */
    private ApiResponse batch(ApiRequest req) throws IOException {
        ClientBatch batch = ClientBatch.read(req.body());
        writer.writeBatch(batch);
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("status", "ok");
        out.put("accepted", batch.recordCount());
        return ApiResponse.json(200, out);
    }

    private ApiResponse register(ApiRequest req) throws IOException {
        String sid = compat.register(req.json());
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("session_id", sid);
        return ApiResponse.json(200, out);
    }

    /** {@code GET /session?session_id=}: the server's view, else the daemon's own. */
    private ApiResponse session(ApiRequest req) {
        String sid = req.query("session_id");
        if (sid == null || sid.isEmpty()) {
            return ApiResponse.error(400, "Missing session_id parameter", "session_id");
        }
        Optional<ServerQueries.Answer> answer = ask("/api/sessions/" + URLEncoder.encode(sid, StandardCharsets.UTF_8));
        if (answer.isPresent() && answer.get().status() == 200) {
            return new ApiResponse(200, answer.get().body());
        }
        return registry.find(sid).map(e -> ApiResponse.json(200, localView(e, true)))
                .orElse(ApiResponse.error(404, "Session not found", null));
    }

    /** {@code GET /sessions}: the server's list; the daemon's sessions when the server cannot be reached. */
    private ApiResponse sessions(ApiRequest req) {
        Optional<ServerQueries.Answer> answer = ask("/api/data/sessions");
        if (answer.isEmpty()) {
            ArrayNode list = Json.mapper().createArrayNode();
            registry.all().forEach(e -> list.add(localView(e, false)));
            return ApiResponse.json(200, list);
        }
        if (answer.get().status() != 200) {
            // The compatible answer, word for word; the server's status says why.
            return ApiResponse.error(500, "Failed to retrieve sessions (the server answered "
                    + answer.get().status() + " to GET /api/data/sessions)", null);
        }
        return new ApiResponse(200, answer.get().body());
    }

    private Optional<ServerQueries.Answer> ask(String path) {
        try {
            return server.get(path);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The compatible daemon's local session shape; the state is the daemon's own merged copy. */
    private static ObjectNode localView(SessionEntry e, boolean withRecordLists) {
        SessionSnapshot s = e.snapshot();
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("id", s.sid());
        o.put("created_at", Timestamps.format(s.createdAtMicros()));
        o.put("updated_at", Timestamps.format(s.updatedAtMicros()));
        o.put("active", !s.isFinal());
        o.set("state", e.stateCopy());
        if (withRecordLists) {
            o.putArray("events");
            o.putArray("metrics");
        }
        if (s.isFinal()) {
            o.put("ended_at", Timestamps.format(s.endedAtMicros()));
        }
        return o;
    }
}
