package io.datacat.daemon.compat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.daemon.Log;
import io.datacat.daemon.session.RecordWriter;
import io.datacat.daemon.session.SessionEntry;
import io.datacat.daemon.session.SessionRegistry;
import io.datacat.daemon.spool.SpoolPosition;
import io.datacat.protocol.CompatInput;
import io.datacat.protocol.InvalidInputException;
import io.datacat.protocol.Json;
import io.datacat.protocol.Level;
import io.datacat.protocol.MetricType;
import io.datacat.protocol.WireRecord;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * The compatible clients' routes (DESIGN 6.2) turned into protocol records. The daemon is
 * these clients' sequencer: it makes the session id (a random UUID) and numbers their records
 * 1, 2, 3 … in the {@code app} space, in the order it spools them.
 */
public final class CompatService {
    /** Fields of {@code POST /event} that the event and exception records carry under the same names. */
    private static final List<String> EVENT_FIELDS = List.of("name", "category", "group", "labels", "message",
            "data", "stacktrace", "exception_type", "exception_msg", "source_file", "source_line", "source_function");
    private static final String REQUIRED = "Product and version are required fields";
    /** How long {@code /end} waits for the server to have the session (the old daemon sent it before answering). */
    public static final Duration END_WAIT = Duration.ofSeconds(5);
    /** Requests of the local API that may wait in {@code /end} at once (it has 4 threads). */
    static final int MAX_END_WAITERS = 2;
    private final Semaphore endWaiters = new Semaphore(MAX_END_WAITERS);

    private final SessionRegistry registry;
    private final RecordWriter writer;
    private final Supplier<MachineIdentity> machine;
    private final long hangTimeoutMs;

    /**
     * @param machine       looked up on first use (enumerating interfaces takes a while)
     * @param hangTimeoutMs {@code heartbeat_timeout_seconds}, in the session_start record
     */
    public CompatService(SessionRegistry registry, RecordWriter writer,
                         Supplier<MachineIdentity> machine, long hangTimeoutMs) {
        this.registry = registry;
        this.writer = writer;
        this.machine = machine;
        this.hangTimeoutMs = hangTimeoutMs;
    }

    /** {@code POST /register}: returns the new session's id once its session_start is spooled. */
    public String register(ObjectNode body) throws IOException {
        String product = requiredText(body, "product");
        String version = requiredText(body, "version");
        JsonNode pidNode = body.get("parent_pid");
        long pid = 0;
        if (pidNode != null && !pidNode.isNull()) {
            if (!pidNode.canConvertToLong() || !pidNode.isIntegralNumber() || pidNode.asLong() < 0) {
                throw new InvalidInputException("parent_pid must be the app's process id (an integer), got "
                        + Json.describe(pidNode), "parent_pid");
            }
            pid = pidNode.asLong();
        }
        MachineIdentity id = machine.get();
        ObjectNode start = Json.mapper().createObjectNode();
        start.put("kind", "session_start");
        start.put("product", product);
        start.put("version", version);
        start.put("hostname", id.hostname());
        start.put("machine_id", id.machineId());
        if (pid > 0) {
            start.put("pid", pid);
        }
        start.put("client", "compat");
        start.put("hang_timeout_ms", hangTimeoutMs);
        String sid = UUID.randomUUID().toString();
        writer.registerCompat(sid, start);
        return sid;
    }

    private static String requiredText(ObjectNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || !n.isTextual() || n.asText().isBlank()) {
            throw new InvalidInputException(REQUIRED, field);
        }
        return n.asText();
    }

    /** {@code POST /state}: every update is kept as a {@code state} record. */
    public void state(ObjectNode body) throws IOException {
        SessionEntry e = registry.requireCompat(sessionId(body));
        JsonNode state = body.get("state");
        if (state == null || state.isNull()) {
            // The old daemon dropped an update without a state, and answered 200.
            return;
        }
        if (!state.isObject()) {
            throw new InvalidInputException("state must be a JSON object of the keys to merge into the session "
                    + "state (null deletes a key), got " + Json.describe(state), "state");
        }
        ObjectNode f = Json.mapper().createObjectNode();
        f.put("kind", "state");
        f.set("patch", state);
        writer.writeCompat(e, List.of(f));
    }

    /**
     * {@code POST /event}: an {@code event}, or an {@code exception} when it carries an exception
     * type or message. The level is the category when that names a level (else info); an
     * exception's info becomes error. The category is kept as sent.
     */
    public void event(ObjectNode body) throws IOException {
        SessionEntry e = registry.requireCompat(sessionId(body));
        ObjectNode f = Json.mapper().createObjectNode();
        boolean exception = nonEmptyText(body, "exception_type") || nonEmptyText(body, "exception_msg");
        f.put("kind", exception ? "exception" : "event");
        for (String field : EVENT_FIELDS) {
            JsonNode v = body.get(field);
            if (v != null && !v.isNull()) {
                f.set(field, v);
            }
        }
        CompatInput.nameIfBlank(f);
        JsonNode category = body.get("category");
        Level level = category != null && category.isTextual() ? Level.fromWire(category.asText()) : null;
        if (level == null || exception && level == Level.INFO) {
            level = exception ? Level.ERROR : Level.INFO;
        }
        f.put("level", level.wire());
        writer.writeCompat(e, List.of(f));
    }

    /**
     * {@code POST /metric}. Each call is one record, spooled before the call is answered: a
     * counter with {@code delta} as a {@code counter} record of that increment, a histogram
     * sample as a {@code histogram} record of that one sample, exact (the old daemon summed
     * them in memory per flush interval, which a daemon killed meanwhile lost after answering
     * ok). A counter without {@code delta} is an absolute reading and goes out as a gauge. The
     * compatible {@code count} of a gauge or timer is the caller's own tally, not a number of
     * samples, so it travels as {@code metadata.count}.
     */
    public void metric(ObjectNode body) throws IOException {
        SessionEntry e = registry.requireCompat(sessionId(body));
        MetricType type = CompatInput.metricType(body);
        if (type == null) {
            throw new InvalidInputException("type must be a text such as gauge, counter, histogram or timer, got "
                    + Json.describe(body.get("type")), "type");
        }
        ObjectNode sample = Json.mapper().createObjectNode();
        sample.put("kind", "metric");
        for (String field : List.of("name", "value", "unit", "tags")) {
            JsonNode v = body.get(field);
            if (v != null && !v.isNull()) {
                sample.set(field, v);
            }
        }
        CompatInput.nameIfBlank(sample);
        JsonNode metadataNode = body.get("metadata");
        if (metadataNode != null && !metadataNode.isNull() && !metadataNode.isObject()) {
            throw new InvalidInputException("metadata must be a JSON object, got " + Json.describe(metadataNode),
                    "metadata");
        }
        ObjectNode metadata = metadataNode == null || metadataNode.isNull() ? Json.mapper().createObjectNode()
                : ((ObjectNode) metadataNode).deepCopy();
        JsonNode delta = body.get("delta");
        if (type == MetricType.COUNTER && delta != null && !delta.isNull()) {
            sample.put("type", "counter");
            sample.set("value", delta);
        } else if (type == MetricType.HISTOGRAM) {
            HistogramBounds.check(metadata.remove("buckets"));
            sample.put("type", "histogram");
        } else {
            sample.put("type", type == MetricType.COUNTER ? "gauge" : type.wire());
            JsonNode count = body.get("count");
            if (count != null && !count.isNull()) {
                metadata.set("count", count);
            }
        }
        if (!metadata.isEmpty()) {
            sample.set("metadata", metadata);
        }
        writer.writeCompat(e, List.of(sample));
    }

    /** {@code POST /heartbeat}: the app is alive; also lifts a pause. */
    public void heartbeat(ObjectNode body) {
        registry.require(sessionId(body)).heartbeat(System.nanoTime());
    }

    public void pauseHeartbeat(ObjectNode body) {
        registry.require(sessionId(body)).pause();
    }

    public void resumeHeartbeat(ObjectNode body) {
        registry.require(sessionId(body)).resume(System.nanoTime());
    }

    /**
     * {@code POST /end}: spools the session's {@code end} record, and answers once the server has them, or after {@link #END_WAIT}
     * (then they stay in the spool and are delivered later). Compatible clients expect an
     * ended session to be on the server, and often stop the daemon right after. Ending an
     * ended session changes nothing.
     */
    public void end(ObjectNode body) throws IOException {
        SessionEntry e = registry.requireCompat(sessionId(body));
        SpoolPosition through;
        synchronized (e) {
            if (e.snapshot().isFinal()) {
                return;
            }
            ObjectNode end = Json.mapper().createObjectNode();
            end.put("kind", "end");
            through = writer.writeCompat(e, List.of(end));
        }
        // The wait holds one of the local API's few threads: two /end at most wait at once, so
        // heartbeats and batches of other apps are never held up behind them.
        if (!endWaiters.tryAcquire()) {
            return;
        }
        try {
            writer.awaitDelivered(through, System.nanoTime() + END_WAIT.toNanos());
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        } finally {
            endWaiters.release();
        }
    }

    private static String sessionId(ObjectNode body) {
        JsonNode n = body.get("session_id");
        if (n == null || !n.isTextual() || n.asText().isEmpty()) {
            throw new InvalidInputException("session_id is required: the id that POST /register returned",
                    "session_id");
        }
        return n.asText();
    }

    private static boolean nonEmptyText(ObjectNode body, String field) {
        JsonNode n = body.get(field);
        return n != null && n.isTextual() && !n.asText().isEmpty();
    }
}
