package io.datacat.daemon.session;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.daemon.spool.FramePayload;
import io.datacat.protocol.Batch;
import io.datacat.protocol.InvalidInputException;
import io.datacat.protocol.Json;
import io.datacat.protocol.Limits;
import io.datacat.protocol.RecordKind;
import io.datacat.protocol.RecordValidator;
import io.datacat.protocol.SessionCounters;
import io.datacat.protocol.Source;
import io.datacat.protocol.WireRecord;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A client's {@code POST /v1/batch} body, read one record at a time: each record is validated
 * with {@link RecordValidator} (as {@link Batch#parse} would) and encoded into frame bytes at
 * once, so a 16 MiB batch costs about 16 MiB of heap instead of a tree several times that size
 * (the daemon runs with {@code -Xmx64m}).
 *
 * @param frames        the records, encoded for the spool (the sessions map in the first frame)
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
    private static final ObjectMapper MAPPER = daemonMapper();
    private static final ObjectReader TREE = MAPPER.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** The protocol's strict JSON settings, with strings bounded to what the daemon's heap can hold. */
    private static ObjectMapper daemonMapper() {
        JsonFactory shared = Json.mapper().getFactory();
        JsonFactory factory = shared.rebuild().streamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(Limits.MAX_JSON_DEPTH)
                .maxStringLength(MAX_STRING_CHARS)
                .maxNumberLength(64)
                .build()).build();
        return new ObjectMapper(factory);
    }

    /**
     * Reads and validates a whole batch; any invalid part rejects it all.
     *
     * @param body the request body, inflated and bounded
     * @throws InvalidInputException for anything the protocol refuses
     */
    public static ClientBatch read(InputStream body) {
        try (JsonParser p = MAPPER.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidInputException(p.currentToken() == null ? "request body is empty; send a JSON object"
                        : "request body must be a JSON object");
            }
            Reader reader = new Reader();
            JsonNode sessionsTree = null;
            boolean hasRecords = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (value == JsonToken.VALUE_NULL) {
                    continue;
                }
                if ("records".equals(field)) {
                    if (value != JsonToken.START_ARRAY) {
                        throw new InvalidInputException("\"records\" must be an array, got "
                                + Json.describe(TREE.readTree(p)), "records");
                    }
                    hasRecords = true;
                    reader.records(p);
                } else if ("sessions".equals(field)) {
                    sessionsTree = TREE.readTree(p);
                } else {
                    p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw new InvalidInputException("malformed JSON: more data after the batch object");
            }
            if (!hasRecords && sessionsTree == null) {
                throw new InvalidInputException("a batch needs \"records\" (an array) or \"sessions\" (an object)",
                        "records");
            }
            return reader.finish(sessionsTree);
        } catch (IOException e) {
            throw Json.parseFailure(e);
        }
    }

    /** Accumulates the records of one batch. */
    private static final class Reader {
        private final FramePayload.Builder frames = new FramePayload.Builder();
        private final Set<String> sids = new LinkedHashSet<>();
        private final List<WireRecord> facts = new ArrayList<>();
        private int count;

        void records(JsonParser p) throws IOException {
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (count == Limits.MAX_RECORDS_PER_BATCH) {
                    throw new InvalidInputException("a batch holds at most " + Limits.MAX_RECORDS_PER_BATCH
                            + " records; send smaller batches", "records");
                }
                String path = "records[" + count + "]";
                WireRecord r = RecordValidator.validate(TREE.readTree(p), path);
                if (r.src() != Source.APP) {
                    throw new InvalidInputException(path + ".src must be \"app\": \"daemon\" and \"api\" are the "
                            + "daemon's and the server's own sequence spaces", path + ".src");
                }
                frames.add(FramePayload.toBytes(r.body()));
                sids.add(r.sid());
                if (REGISTRY_KINDS.contains(r.kind())) {
                    facts.add(r);
                }
                count++;
            }
        }

        ClientBatch finish(JsonNode sessionsTree) {
            Map<String, SessionCounters> sessions = Map.of();
            Map<String, Boolean> paused = new HashMap<>();
            ObjectNode sessionsJson = null;
            if (sessionsTree != null) {
                ObjectNode wrapper = Json.mapper().createObjectNode();
                wrapper.set("sessions", sessionsTree);
                Batch counters = Batch.parse(wrapper);
                sessions = counters.sessions();
                sessionsJson = (ObjectNode) counters.toJson().get("sessions");
                sessionsTree.fields().forEachRemaining(e -> {
                    JsonNode flag = e.getValue().get("hang_paused");
                    if (flag != null && !flag.isNull()) {
                        if (!flag.isBoolean()) {
                            String path = "sessions." + e.getKey() + ".hang_paused";
                            throw new InvalidInputException(path + " must be true or false", path);
                        }
                        paused.put(e.getKey(), flag.asBoolean());
                    }
                });
            }
            return new ClientBatch(frames.finish(sessionsJson), count, sids, facts, sessions, paused);
        }
    }
}
