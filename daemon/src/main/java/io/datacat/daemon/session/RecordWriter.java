package io.datacat.daemon.session;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.daemon.spool.Spool;
import io.datacat.daemon.spool.SpoolPosition;
import io.datacat.protocol.InvalidInputException;
import io.datacat.protocol.Json;
import io.datacat.protocol.RecordValidator;
import io.datacat.protocol.Source;
import io.datacat.protocol.Timestamps;
import io.datacat.protocol.WireRecord;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The one way records enter the daemon: validated, appended to the spool (durably, per the
 * fsync policy), and only then applied to the session registry. An {@link IOException} means
 * the spool could not take them and nothing was applied.
 */
public final class RecordWriter {
    private final Spool spool;
    private final SessionRegistry registry;
    private final DaemonClock clock;

    public RecordWriter(Spool spool, SessionRegistry registry, DaemonClock clock) {
        this.spool = spool;
        this.registry = registry;
        this.clock = clock;
    }

    /**
     * A client's batch ({@code POST /v1/batch}). A batch without records writes no frame but
     * still updates the registry (contact, heartbeat, drops, pause).
     */
    public void writeBatch(ClientBatch batch) throws IOException {
        for (String sid : batch.sids()) {
            if (registry.find(sid).map(SessionEntry::compat).orElse(false)) {
                throw new InvalidInputException("records of session " + sid + ", which was registered through "
                        + "POST /register and is numbered by this daemon: send them through the compatible routes",
                        "records");
            }
        }
        long now = System.nanoTime();
        if (batch.recordCount() > 0) {
            spool.appendFrames(batch.frames());
        }
        registry.observeBatch(batch, now);
    }

    /**
     * Registers a compatible client's new session and spools its {@code session_start}
     * (seq 1); when that fails the session is forgotten again.
     */
    public SessionEntry registerCompat(String sid, ObjectNode startFields) throws IOException {
        // Nobody knows the new id before it is returned, so registering first races with nothing.
        SessionEntry entry = registry.registerCompat(sid, System.nanoTime());
        try {
            writeCompat(entry, List.of(startFields));
        } catch (IOException | RuntimeException e) {
            registry.forget(sid);
            throw e;
        }
        return entry;
    }

    /**
     * Records of a compatible session, numbered here in its {@code app} space in the order they
     * are spooled. Each {@code fields} object holds {@code kind} and the kind's fields.
     */
    public SpoolPosition writeCompat(SessionEntry entry, List<ObjectNode> fields) throws IOException {
        synchronized (entry) {
            long seq = entry.nextSeq();
            long ts = Timestamps.nowMicros();
            List<WireRecord> records = new ArrayList<>();
            for (ObjectNode f : fields) {
                ObjectNode body = common(entry.sid(), Source.APP, seq++, ts);
                body.setAll(f);
                records.add(RecordValidator.validate(body, "body"));
            }
            SpoolPosition end = spool.append(records.stream().map(WireRecord::body).toList());
            entry.advanceSeq(records.size());
            records.forEach(entry::apply);
            return end;
        }
    }

    /** Waits until the server has everything spooled before {@code through}, at most until {@code deadline}. */
    public boolean awaitDelivered(SpoolPosition through, long deadline) throws InterruptedException {
        return spool.awaitDelivered(through, deadline);
    }

    /** One of the daemon's own reports ({@code src=daemon}, seq = the daemon clock). */
    public WireRecord writeDaemonRecord(String sid, ObjectNode fields) throws IOException {
        long seq = clock.next();
        ObjectNode body = common(sid, Source.DAEMON, seq, seq);
        body.setAll(fields);
        WireRecord r = RecordValidator.validate(body, "daemon record");
        spool.append(List.of(r.body()));
        registry.apply(List.of(r), System.nanoTime());
        return r;
    }

    /**
     * Validates the fields of a record of session {@code sid} as the server will, without
     * spooling it (for samples the daemon aggregates before they become records).
     */
    public static WireRecord check(String sid, ObjectNode fields) {
        ObjectNode body = common(sid, Source.APP, 1, Timestamps.nowMicros());
        body.setAll(fields);
        return RecordValidator.validate(body, "body");
    }

    private static ObjectNode common(String sid, Source src, long seq, long ts) {
        ObjectNode body = Json.mapper().createObjectNode();
        body.put("sid", sid);
        body.put("src", src.wire());
        body.put("seq", seq);
        body.put("ts", ts);
        return body;
    }
}
