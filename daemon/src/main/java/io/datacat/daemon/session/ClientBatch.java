package io.datacat.daemon.session;

import io.datacat.daemon.spool.FramePayload;
import io.datacat.protocol.BatchReader;
import io.datacat.protocol.Bytes;
import io.datacat.protocol.InvalidInputException;
import io.datacat.protocol.RecordKind;
import io.datacat.protocol.SessionCounters;
import io.datacat.protocol.Source;
import io.datacat.protocol.WireRecord;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A client's {@code POST /v1/batch} body, read as a stream of tokens ({@link BatchReader}):
 * each record is validated and its normalised bytes go into frame payloads as they came, so a
 * 16 MiB batch costs about 16 MiB of heap (the daemon runs with {@code -Xmx64m}) and no record
 * is ever a tree, except the few the registry learns from.
 *
 * @param frames        the records, encoded for the spool (the counters in the first frame)
 * @param recordCount   how many records the batch held
 * @param sids          the sessions its records belong to
 * @param registryFacts the records that change what the registry knows (start, state, end, crash)
 * @param sessions      the per-session counters it carried
 * @param hangPaused    the per-session {@code hang_paused} flags it carried
 */
public record ClientBatch(List<FramePayload.Encoded> frames, int recordCount, Set<String> sids,
                          List<WireRecord> registryFacts, Map<String, SessionCounters> sessions,
                          Map<String, Boolean> hangPaused) {

    /** A JSON string longer than this would not fit the daemon's heap next to the rest of the batch. */
    public static final int MAX_STRING_CHARS = 4 * 1024 * 1024;
    private static final Set<RecordKind> REGISTRY_KINDS =
            EnumSet.of(RecordKind.SESSION_START, RecordKind.STATE, RecordKind.END, RecordKind.CRASH);
    private static final BatchReader READER = new BatchReader(MAX_STRING_CHARS);

    /**
     * Reads and validates a whole batch; any invalid part rejects it all.
     *
     * @param body the request body, inflated and bounded
     * @throws InvalidInputException for anything the protocol refuses
     */
    public static ClientBatch read(InputStream body) {
        FramePayload.Builder frames = new FramePayload.Builder();
        Set<String> sids = new LinkedHashSet<>();
        List<WireRecord> facts = new ArrayList<>();
        Bytes record = new Bytes(512);
        int[] count = {0};
        List<BatchReader.SessionEntry> entries = READER.read(body, r -> {
            if (r.src() != Source.APP) {
                throw new InvalidInputException(r.path() + ".src must be \"app\": \"daemon\" and \"api\" are the "
                        + "daemon's and the server's own sequence spaces", r.path() + ".src");
            }
            record.reset();
            r.writeTo(record);
            frames.add(record.array(), 0, record.size(), r.sid());
            sids.add(r.sid());
            if (REGISTRY_KINDS.contains(r.kind())) {
                facts.add(r.toWireRecord());
            }
            count[0]++;
        });
        Map<String, SessionCounters> sessions = new LinkedHashMap<>();
        Map<String, Boolean> paused = new HashMap<>();
        for (BatchReader.SessionEntry e : entries) {
            sessions.put(e.sid(), e.counters());
            if (e.hangPaused() != null) {
                paused.put(e.sid(), e.hangPaused());
            }
        }
        return new ClientBatch(frames.finish(sessions), count[0], sids, facts, sessions, paused);
    }
}
