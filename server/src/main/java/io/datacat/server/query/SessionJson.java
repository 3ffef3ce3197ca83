package io.datacat.server.query;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.datacat.protocol.Json;
import io.datacat.protocol.Timestamps;
import io.datacat.server.store.RecordBodies;
import io.datacat.server.store.RecordCounts;
import io.datacat.server.store.SessionRow;
import io.datacat.server.store.SessionStatus;

/** The JSON shapes of a session. Optional fields are left out when unknown. */
public final class SessionJson {
    private SessionJson() {
    }

    /** What the sessions list shows of each session. */
    public static ObjectNode summary(SessionRow r) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("id", r.id());
        n.put("product", r.product());
        n.put("version", r.version());
        n.put("status", r.status().wire());
        n.put("hung", r.hung());
        n.put("hang_count", r.hangCount());
        n.put("created_at", Timestamps.format(r.createdAt()));
        n.put("last_seen", Timestamps.format(r.lastSeen()));
        if (r.endedAt() != null) {
            n.put("ended_at", Timestamps.format(r.endedAt()));
        }
        if (r.counters().lastHeartbeat() > 0) {
            n.put("last_heartbeat", Timestamps.format(r.counters().lastHeartbeat()));
        }
        putIfPresent(n, "hostname", r.hostname());
        putIfPresent(n, "machine_id", r.machineId());
        if (r.pid() != null) {
            n.put("pid", r.pid());
        }
        putIfPresent(n, "client", r.client());
        putIfPresent(n, "crash_reason", r.crashReason());
        if (r.crashDetail() != null) {
            n.set("crash_detail", RecordBodies.decode(r.crashDetail()));
        }
        n.put("client_dropped", r.counters().clientDropped());
        n.put("spool_evicted", r.counters().spoolEvicted());
        n.put("placeholder", r.placeholder());
        RecordCounts c = r.counts();
        n.putObject("counts")
                .put("records", c.records())
                .put("events", c.events())
                .put("exceptions", c.exceptions())
                .put("metrics", c.metrics())
                .put("states", c.states());
        return n;
    }

    /**
     * The summary plus the flags of the compatible session JSON (COMPAT 1.4, 1.8):
     * {@code updated_at} is the last contact; {@code suspended} is our {@code abnormal}
     * (the sender went silent), and the current state.
     */
    static ObjectNode withCompatFieldsAndState(SessionRow r) {
        ObjectNode n = summary(r);
        n.put("updated_at", Timestamps.format(r.lastSeen()));
        n.put("active", r.status() == SessionStatus.ACTIVE);
        n.put("suspended", r.status() == SessionStatus.ABNORMAL);
        n.put("crashed", r.status() == SessionStatus.CRASHED);
        // Stored state text goes out as it is, without a parse and re-serialization.
        n.putRawValue("state", new RawValue(r.state()));
        return n;
    }

    private static void putIfPresent(ObjectNode n, String field, String value) {
        if (value != null && !value.isEmpty()) {
            n.put(field, value);
        }
    }
}
