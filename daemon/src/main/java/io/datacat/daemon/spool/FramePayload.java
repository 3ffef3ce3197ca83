package io.datacat.daemon.spool;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.Bytes;
import io.datacat.protocol.Json;
import io.datacat.protocol.RecordKind;
import io.datacat.protocol.SessionCounters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The payload of a frame. Since frame format 2 ({@code DCS2}) it is a small binary header
 * followed by the records as a JSON array, each record's normalised bytes exactly as validated:
 *
 * <pre>
 * int   records             how many records the array holds
 * int   sessions            then, per session the frame concerns:
 *   byte  sid length, sid (ASCII: session ids are [A-Za-z0-9._:-])
 *   byte  1 if the client's counters follow, else 0
 *   long  client_dropped, long spool_evicted, long last_heartbeat
 * [record,record,…]
 * </pre>
 *
 * The forwarder builds a request by splicing the arrays' contents together and writing the
 * sessions map from the headers: it never parses a record. Format 1 ({@code DCS1}) payloads,
 * a whole batch as JSON ({@code {"records":[…],"sessions":{…}}}), are still read (a spool left
 * by an older daemon), by scanning them. A daemon runs with a 64 MiB heap, so nothing here
 * builds a JSON tree of records.
 */
public final class FramePayload {
    /** Records per frame, and per request to the server. */
    public static final int MAX_RECORDS = 5_000;
    /** Payload bytes per frame, and per request to the server (a single larger record goes alone). */
    public static final int MAX_BYTES = 4 * 1024 * 1024;

    /** Reads a tree in the middle of a document (the shared mapper refuses trailing tokens). */
    private static final ObjectReader EMBEDDED_TREE =
            Json.mapper().reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final String[] COUNTERS = {"client_dropped", "spool_evicted", "last_heartbeat"};

    private FramePayload() {
    }

    /** A format 2 payload ready to append, with the number of records in it. */
    public record Encoded(byte[] bytes, int records) {
    }

    /** One record inside a payload: its bytes {@code [start, end)}, session and kind (null if unknown). */
    record RecordSlice(int start, int end, String sid, RecordKind kind) {
    }

    /**
     * What a frame holds.
     *
     * @param payload  the bytes {@code start} and {@code end} point into
     * @param start    where the records start: {@code payload[start, end)} is {@code record,record,…}
     * @param end      where the records end
     * @param records  how many records there are
     * @param sids     the sessions of those records
     * @param counters the per-session counters the client sent with the batch (only in its first frame)
     */
    public record Contents(byte[] payload, int start, int end, int records, Set<String> sids,
                           Map<String, SessionCounters> counters) {
        public static final Contents EMPTY = new Contents(new byte[0], 0, 0, 0, Set.of(), Map.of());

        public int length() {
            return end - start;
        }
    }

    /**
     * Builds format 2 payloads of at most {@link #MAX_RECORDS} records and about {@link #MAX_BYTES}
     * bytes each, one record's bytes at a time.
     */
    public static final class Builder {
        private final List<Encoded> later = new ArrayList<>();
        /** Kept open until {@link #finish}: the client's counters go into it. */
        private Bytes first;
        private Set<String> firstSids;
        private int firstRecords;
        private Bytes current;
        private Set<String> sids;
        private String lastSid;
        private int records;

        /** Adds one record's JSON of session {@code sid}; starts a new frame when this one is full. */
        public void add(byte[] record, int off, int len, String sid) {
            if (current != null && (records == MAX_RECORDS || current.size() + len + 1 > MAX_BYTES)) {
                seal();
            }
            if (current == null) {
                current = new Bytes(Math.min(MAX_BYTES, Math.max(64 * 1024, 2 * len)));
                sids = new LinkedHashSet<>();
                lastSid = null;
                records = 0;
            } else {
                current.write(',');
            }
            current.write(record, off, len);
            if (!sid.equals(lastSid)) {
                sids.add(sid);
                lastSid = sid;
            }
            records++;
        }

        private void seal() {
            if (first == null) {
                first = current;
                firstSids = sids;
                firstRecords = records;
            } else {
                later.add(new Encoded(encode(current.array(), 0, current.size(), records, sids, Map.of()), records));
            }
            current = null;
        }

        /** The frames in order; {@code counters} go into the first. */
        public List<Encoded> finish(Map<String, SessionCounters> counters) {
            if (current != null) {
                seal();
            }
            if (first == null) {
                return List.of();
            }
            List<Encoded> out = new ArrayList<>();
            out.add(new Encoded(encode(first.array(), 0, first.size(), firstRecords, firstSids, counters), firstRecords));
            out.addAll(later);
            return out;
        }
    }

    /** Encodes records held as trees (the daemon's own, a compatible client's) as one or more frames. */
    static List<Encoded> encode(List<ObjectNode> records) {
        Builder b = new Builder();
        for (ObjectNode r : records) {
            byte[] bytes = toBytes(r);
            b.add(bytes, 0, bytes.length, r.path("sid").asText());
        }
        return b.finish(Map.of());
    }

    /**
     * A format 2 payload: the header, then {@code records[off, off+len)} (records joined by
     * commas) as a JSON array.
     */
    static byte[] encode(byte[] records, int off, int len, int count, Set<String> sids,
                         Map<String, SessionCounters> counters) {
        Set<String> all = new LinkedHashSet<>(sids);
        all.addAll(counters.keySet());
        int header = 4 + 4;
        for (String sid : all) {
            header += 2 + sid.length() + (counters.containsKey(sid) ? 3 * Long.BYTES : 0);
        }
        ByteBuffer buf = ByteBuffer.allocate(header + len + 2);
        buf.putInt(count).putInt(all.size());
        for (String sid : all) {
            buf.put((byte) sid.length()).put(sid.getBytes(StandardCharsets.US_ASCII));
            SessionCounters c = counters.get(sid);
            buf.put((byte) (c == null ? 0 : 1));
            if (c != null) {
                buf.putLong(c.clientDropped()).putLong(c.spoolEvicted()).putLong(c.lastHeartbeat());
            }
        }
        buf.put((byte) '[').put(records, off, len).put((byte) ']');
        return buf.array();
    }

    /** What a payload of frame format {@code version} (1 or 2) holds. */
    static Contents decode(int version, byte[] payload) throws IOException {
        return version == 1 ? scanVersion1(payload) : readHeader(payload);
    }

    private static Contents readHeader(byte[] payload) throws IOException {
        try {
            ByteBuffer buf = ByteBuffer.wrap(payload);
            int records = buf.getInt();
            int sessions = buf.getInt();
            Set<String> sids = new LinkedHashSet<>();
            Map<String, SessionCounters> counters = new LinkedHashMap<>();
            for (int i = 0; i < sessions; i++) {
                byte[] sid = new byte[buf.get()];
                buf.get(sid);
                String s = new String(sid, StandardCharsets.US_ASCII);
                if (buf.get() != 0) {
                    counters.put(s, new SessionCounters(buf.getLong(), buf.getLong(), buf.getLong()));
                }
                sids.add(s);
            }
            if (payload[buf.position()] != '[' || payload[payload.length - 1] != ']') {
                throw new IOException("frame payload has no record array after its header");
            }
            return new Contents(payload, buf.position() + 1, payload.length - 1, records, sids, counters);
        } catch (RuntimeException e) {
            throw new IOException("frame payload has a broken header: " + e, e);
        }
    }

    /** A format 1 payload: a batch as JSON, whose records lie back to back between its brackets. */
    private static Contents scanVersion1(byte[] payload) throws IOException {
        List<RecordSlice> records = new ArrayList<>();
        Map<String, SessionCounters> counters = new LinkedHashMap<>();
        try (JsonParser p = Json.mapper().createParser(payload)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("frame payload is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if ("records".equals(field) && value == JsonToken.START_ARRAY) {
                    slices(p, 0, records);
                } else if ("sessions".equals(field) && value == JsonToken.START_OBJECT) {
                    JsonNode sessions = EMBEDDED_TREE.readTree(p);
                    sessions.properties().forEach(e -> counters.put(e.getKey(), countersOf(e.getValue())));
                } else {
                    p.skipChildren();
                }
            }
        }
        Set<String> sids = new LinkedHashSet<>();
        records.forEach(r -> sids.add(String.valueOf(r.sid())));
        int start = records.isEmpty() ? 0 : records.get(0).start();
        int end = records.isEmpty() ? 0 : records.get(records.size() - 1).end();
        return new Contents(payload, start, end, records.size(), sids, counters);
    }

    private static SessionCounters countersOf(JsonNode c) {
        return new SessionCounters(c.path(COUNTERS[0]).asLong(), c.path(COUNTERS[1]).asLong(),
                c.path(COUNTERS[2]).asLong());
    }

    /** Each record of a frame with its session and kind (for eviction, which keeps some of them). */
    static List<RecordSlice> slices(Contents c) throws IOException {
        List<RecordSlice> out = new ArrayList<>(c.records());
        if (c.records() == 0) {
            return out;
        }
        // The records sit between brackets in both formats: parse that array where it lies.
        try (JsonParser p = Json.mapper().createParser(c.payload(), c.start() - 1, c.length() + 2)) {
            p.nextToken();
            slices(p, c.start() - 1, out);
        }
        return out;
    }

    /** Reads the records of the array the parser is at; {@code base} turns the parser's offsets into the payload's. */
    private static void slices(JsonParser p, int base, List<RecordSlice> out) throws IOException {
        while (p.nextToken() == JsonToken.START_OBJECT) {
            int start = base + (int) p.currentTokenLocation().getByteOffset();
            String sid = null;
            String kind = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (value == JsonToken.VALUE_STRING && "sid".equals(name)) {
                    sid = p.getText();
                } else if (value == JsonToken.VALUE_STRING && "kind".equals(name)) {
                    kind = p.getText();
                } else {
                    p.skipChildren();
                }
            }
            int end = base + (int) p.currentLocation().getByteOffset();
            out.add(new RecordSlice(start, end, sid, RecordKind.fromWire(kind)));
        }
    }

    /** The frame keeping only {@code kept} of its records (and its counters), in format 2. */
    static byte[] withRecords(Contents c, List<RecordSlice> kept) {
        Bytes records = new Bytes(c.length());
        Set<String> sids = new LinkedHashSet<>();
        for (RecordSlice r : kept) {
            if (records.size() > 0) {
                records.write(',');
            }
            records.write(c.payload(), r.start(), r.end() - r.start());
            sids.add(String.valueOf(r.sid()));
        }
        return encode(records.array(), 0, records.size(), kept.size(), sids, c.counters());
    }

    /**
     * Writes one batch in the wire format holding the records of every part, in order, and
     * {@code sessions} (may be empty).
     */
    public static void writeBatch(List<Contents> parts, Map<String, SessionCounters> sessions, Bytes out) {
        out.writeAscii("{\"records\":[");
        boolean first = true;
        for (Contents part : parts) {
            if (part.records() > 0) {
                if (!first) {
                    out.write(',');
                }
                out.write(part.payload(), part.start(), part.length());
                first = false;
            }
        }
        out.write(']');
        if (!sessions.isEmpty()) {
            out.writeAscii(",\"sessions\":{");
            boolean firstSession = true;
            for (Map.Entry<String, SessionCounters> e : sessions.entrySet()) {
                if (!firstSession) {
                    out.write(',');
                }
                firstSession = false;
                // Session ids are validated to [A-Za-z0-9._:-] before they reach a frame: nothing to escape.
                SessionCounters c = e.getValue();
                out.writeAscii("\"" + e.getKey() + "\":{\"" + COUNTERS[0] + "\":" + c.clientDropped() + ",\""
                        + COUNTERS[1] + "\":" + c.spoolEvicted() + ",\"" + COUNTERS[2] + "\":" + c.lastHeartbeat() + "}");
            }
            out.write('}');
        }
        out.write('}');
    }

    /** A frame as one batch in the wire format, with the counters it carried (for a human in {@code rejected/}). */
    public static byte[] toBatch(Contents c) {
        Bytes out = new Bytes(c.length() + 256);
        writeBatch(Collections.singletonList(c), c.counters(), out);
        return out.toByteArray();
    }

    private static byte[] toBytes(ObjectNode node) {
        try {
            return Json.mapper().writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise a JSON tree", e);
        }
    }
}
