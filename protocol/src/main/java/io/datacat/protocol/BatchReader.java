package io.datacat.protocol;

import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and validates a batch body (docs/protocol.md, "Batches") as a stream of tokens: each
 * record is validated by a {@link RecordReader} and handed to a {@link Sink} as soon as its
 * closing brace is read, with its bytes still at hand to be copied out; no tree is built. Any
 * invalid part rejects the batch: the sink must keep what it is given aside until
 * {@link #read} returns. Thread-safe; one reader serves every request.
 */
public final class BatchReader {
    private static final String[] COUNTERS = {"client_dropped", "spool_evicted", "last_heartbeat"};
    private static final String HANG_PAUSED = "hang_paused";

    private final int maxStringChars;

    /** @param maxStringChars the longest JSON string a body may hold */
    public BatchReader(int maxStringChars) {
        this.maxStringChars = maxStringChars;
    }

    /** Receives the records of a batch as they are read. */
    @FunctionalInterface
    public interface Sink {
        /**
         * A valid record. {@code r} describes the next record once this returns, so take what
         * is needed now ({@link RecordReader#writeTo} for its bytes).
         *
         * @throws InvalidInputException to refuse the batch because of this record
         */
        void record(RecordReader r);
    }

    /**
     * An entry of the batch's {@code sessions} map.
     *
     * @param hangPaused the client's {@code hang_paused} flag, or null when not sent
     */
    public record SessionEntry(String sid, SessionCounters counters, Boolean hangPaused) {
    }

    /**
     * Reads a body from a stream (inflated and bounded by the caller); only the record being
     * read is kept in memory besides what the sink keeps.
     *
     * @return the {@code sessions} entries, in order
     * @throws InvalidInputException for anything the protocol refuses (a body over its bound
     *                               as {@link PayloadTooLargeException})
     */
    public List<SessionEntry> read(InputStream body, Sink sink) {
        try (InputStream in = body) {
            return read(JsonScanner.of(in, maxStringChars), sink);
        } catch (IOException e) {
            throw Json.parseFailure(e);
        }
    }

    /** Reads a body held in memory; see {@link #read(InputStream, Sink)}. */
    public List<SessionEntry> read(byte[] body, Sink sink) {
        try {
            return read(JsonScanner.of(body, maxStringChars), sink);
        } catch (IOException e) {
            throw Json.parseFailure(e);
        }
    }

    private List<SessionEntry> read(JsonScanner p, Sink sink) throws IOException {
        JsonToken first = p.nextToken();
        if (first == null) {
            throw new InvalidInputException("request body is empty; send a JSON object");
        }
        if (first != JsonToken.START_OBJECT) {
            throw new InvalidInputException("request body must be a JSON object, got " + Json.describe(first));
        }
        RecordReader records = new RecordReader(p, "records");
        Sessions sessions = null;
        boolean sawRecords = false;
        boolean sawSessions = false;
        boolean hasRecords = false;
        records.open();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            // Only records are copied out of the body: nothing before this field needs keeping.
            p.keepFrom(p.tokenStart());
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (name.equals("records")) {
                if (sawRecords) {
                    throw records.duplicate(name);
                }
                sawRecords = true;
                if (v != JsonToken.VALUE_NULL) {
                    if (v != JsonToken.START_ARRAY) {
                        throw new InvalidInputException("\"records\" must be an array, got " + Json.describe(v),
                                "records");
                    }
                    hasRecords = true;
                    readRecords(p, records, sink);
                }
            } else if (name.equals("sessions")) {
                if (sawSessions) {
                    throw records.duplicate(name);
                }
                sawSessions = true;
                if (v != JsonToken.VALUE_NULL) {
                    if (v != JsonToken.START_OBJECT) {
                        throw new InvalidInputException("\"sessions\" must be an object, got " + Json.describe(v),
                                "sessions");
                    }
                    sessions = new Sessions(p, records);
                }
            } else {
                records.name(name);
                records.skipValue(v);
            }
        }
        records.close();
        p.nextToken(); // null, or it fails: nothing may follow the batch object
        if (!hasRecords && sessions == null) {
            throw new InvalidInputException("a batch needs \"records\" (an array) or \"sessions\" (an object)",
                    "records");
        }
        if (sessions == null) {
            return List.of();
        }
        // Like a whole-batch check, records are judged before the counters wherever they stand.
        if (sessions.error != null) {
            throw sessions.error;
        }
        return sessions.entries;
    }

    private static void readRecords(JsonScanner p, RecordReader r, Sink sink) throws IOException {
        int i = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (i == Limits.MAX_RECORDS_PER_BATCH) {
                throw new InvalidInputException("a batch holds at most " + Limits.MAX_RECORDS_PER_BATCH
                        + " records; send smaller batches", "records");
            }
            if (t != JsonToken.START_OBJECT) {
                String path = "records[" + i + "]";
                throw new InvalidInputException(path + " must be an object, got " + Json.describe(t), path);
            }
            r.read(i);
            sink.record(r);
            i++;
        }
    }

    /** The {@code sessions} map, read where it stands; its first error waits for the records to be judged. */
    private static final class Sessions {
        final List<SessionEntry> entries = new ArrayList<>();
        InvalidInputException error;

        Sessions(JsonScanner p, RecordReader keys) throws IOException {
            keys.open();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String sid = p.currentName();
                keys.name(sid);
                entry(p, keys, sid, p.nextToken());
            }
            keys.close();
        }

        private void entry(JsonScanner p, RecordReader keys, String sid, JsonToken v) throws IOException {
            String path = "sessions." + sid;
            if (!RecordReader.isSessionId(sid)) {
                fail(path + " " + RecordReader.SESSION_ID_RULE, path);
            }
            if (v != JsonToken.START_OBJECT) {
                fail(path + " must be an object", path);
                keys.skipValue(v);
                return;
            }
            long[] counters = new long[COUNTERS.length];
            String[] bad = new String[COUNTERS.length];
            Boolean paused = null;
            boolean pausedBad = false;
            int seen = 0;
            keys.open();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                int c = counter(name);
                if (c < 0 && !name.equals(HANG_PAUSED)) {
                    keys.name(name);
                    keys.skipValue(t);
                    continue;
                }
                int bit = 1 << (c < 0 ? COUNTERS.length : c);
                if ((seen & bit) != 0) {
                    throw keys.duplicate(name);
                }
                seen |= bit;
                if (t == JsonToken.VALUE_NULL) {
                    continue;
                }
                if (c < 0) {
                    pausedBad = t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE;
                    paused = t == JsonToken.VALUE_TRUE;
                } else if (p.isLong() && p.longValue() >= 0) {
                    counters[c] = p.longValue();
                } else {
                    bad[c] = path + "." + name;
                }
                keys.skipValue(t);
            }
            keys.close();
            for (String field : bad) {
                if (field != null) {
                    fail(field + " must be a non-negative integer", field);
                }
            }
            if (pausedBad) {
                fail(path + "." + HANG_PAUSED + " must be true or false", path + "." + HANG_PAUSED);
            }
            entries.add(new SessionEntry(sid, new SessionCounters(counters[0], counters[1], counters[2]),
                    pausedBad ? null : paused));
        }

        private static int counter(String name) {
            for (int i = 0; i < COUNTERS.length; i++) {
                if (COUNTERS[i].equals(name)) {
                    return i;
                }
            }
            return -1;
        }

        private void fail(String message, String field) {
            if (error == null) {
                error = new InvalidInputException(message, field);
            }
        }
    }
}
