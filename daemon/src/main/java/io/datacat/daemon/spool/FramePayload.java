package io.datacat.daemon.spool;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.Json;
import io.datacat.protocol.RecordKind;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The payload of a frame is a batch in the wire format, {@code {"records":[…],"sessions":{…}}}.
 * Frames are written here from validated records and read back by scanning, without building
 * a JSON tree: the forwarder and the eviction only need each record's byte range, session and
 * kind, and splice the records' bytes into new batches. That keeps a 4 MiB batch from turning
 * into tens of MiB of tree in a daemon that runs with a 64 MiB heap.
 */
public final class FramePayload {
    /** Records per frame, and per request to the server. */
    public static final int MAX_RECORDS = 5_000;
    /** Payload bytes per frame, and per request to the server (a single larger record goes alone). */
    public static final int MAX_BYTES = 4 * 1024 * 1024;

    /** Reads a tree in the middle of a document (the shared mapper refuses trailing tokens). */
    private static final ObjectReader EMBEDDED_TREE =
            Json.mapper().reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final byte[] RECORDS_OPEN = "{\"records\":[".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SESSIONS_OPEN = "],\"sessions\":".getBytes(StandardCharsets.US_ASCII);

    private FramePayload() {
    }

    /** A payload ready to append, with the number of records in it. */
    public record Encoded(byte[] bytes, int records) {
    }

    /** One record inside a payload: its bytes {@code [start, end)}, session and kind (null if unknown). */
    public record RecordSlice(int start, int end, String sid, RecordKind kind) {
        int length() {
            return end - start;
        }
    }

    /**
     * What a payload holds.
     *
     * @param payload  the bytes the slices point into
     * @param records  the records to take from it, in order
     * @param sessions its per-session counters, or null
     */
    public record Contents(byte[] payload, List<RecordSlice> records, ObjectNode sessions) {
        public Contents {
            records = List.copyOf(records);
        }

        /** The same payload keeping only {@code kept}. */
        Contents withRecords(List<RecordSlice> kept) {
            return new Contents(payload, kept, sessions);
        }
    }

    /**
     * Encodes records as frame payloads of at most {@link #MAX_RECORDS} records and about
     * {@link #MAX_BYTES} bytes each. {@code sessions} (may be null) goes into the first.
     */
    public static List<Encoded> encode(List<ObjectNode> records, ObjectNode sessions) {
        Builder b = new Builder();
        records.forEach(r -> b.add(toBytes(r)));
        return b.finish(sessions);
    }

    /** Builds frame payloads one serialised record at a time, so a big batch is never a big tree. */
    public static final class Builder {
        private final List<Encoded> later = new ArrayList<>();
        /** Kept open until {@link #finish}: the sessions map goes into it. */
        private ByteArrayOutputStream first;
        private int firstRecords;
        private ByteArrayOutputStream current;
        private int records;

        /** Adds one record's JSON; starts a new frame when this one is full. */
        public void add(byte[] record) {
            if (current != null && (records == MAX_RECORDS || current.size() + record.length + 1 > MAX_BYTES)) {
                seal();
            }
            if (current == null) {
                current = new ByteArrayOutputStream(Math.min(MAX_BYTES, 2 * record.length + 64));
                current.writeBytes(RECORDS_OPEN);
                records = 0;
            } else {
                current.write(',');
            }
            current.writeBytes(record);
            records++;
        }

        private void seal() {
            if (first == null) {
                first = current;
                firstRecords = records;
            } else {
                closeBatch(current, null);
                later.add(new Encoded(current.toByteArray(), records));
            }
            current = null;
        }

        /** The frames in order; {@code sessions} (may be null) goes into the first. */
        public List<Encoded> finish(ObjectNode sessions) {
            if (current != null) {
                seal();
            }
            if (first == null) {
                return List.of();
            }
            closeBatch(first, sessions);
            List<Encoded> out = new ArrayList<>();
            out.add(new Encoded(first.toByteArray(), firstRecords));
            out.addAll(later);
            return out;
        }
    }

    /** One batch holding the chosen records of every part, in order, and {@code sessions} (may be null). */
    public static byte[] assemble(List<Contents> parts, ObjectNode sessions) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(RECORDS_OPEN);
        boolean first = true;
        for (Contents part : parts) {
            for (RecordSlice r : part.records()) {
                if (!first) {
                    out.write(',');
                }
                out.write(part.payload(), r.start(), r.length());
                first = false;
            }
        }
        closeBatch(out, sessions);
        return out.toByteArray();
    }

    private static void closeBatch(ByteArrayOutputStream out, ObjectNode sessions) {
        if (sessions != null && !sessions.isEmpty()) {
            out.writeBytes(SESSIONS_OPEN);
            out.writeBytes(toBytes(sessions));
            out.write('}');
        } else {
            out.writeBytes("]}".getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** Finds the records of a payload and reads its sessions map. */
    public static Contents scan(byte[] payload) throws IOException {
        List<RecordSlice> records = new ArrayList<>();
        ObjectNode sessions = null;
        try (JsonParser p = Json.mapper().createParser(payload)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("frame payload is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if ("records".equals(field) && value == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        records.add(scanRecord(p));
                    }
                } else if ("sessions".equals(field) && value == JsonToken.START_OBJECT) {
                    sessions = (ObjectNode) EMBEDDED_TREE.readTree(p);
                } else {
                    p.skipChildren();
                }
            }
        }
        return new Contents(payload, records, sessions);
    }

    private static RecordSlice scanRecord(JsonParser p) throws IOException {
        int start = (int) p.currentTokenLocation().getByteOffset();
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
        int end = (int) p.currentLocation().getByteOffset();
        return new RecordSlice(start, end, sid, RecordKind.fromWire(kind));
    }

    /** A record (or any tree) as compact JSON. */
    public static byte[] toBytes(ObjectNode node) {
        try {
            return Json.mapper().writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise a JSON tree", e);
        }
    }
}
