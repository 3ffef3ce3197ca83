package io.datacat.daemon.spool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.daemon.Log;
import io.datacat.protocol.InvalidInputException;
import io.datacat.protocol.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Records the spool evicted, per session, cumulative ({@code spool_evicted}); persisted as
 * {@code evicted.json} in the daemon's directory so the count survives a restart and an
 * adoption. The server keeps the maximum it has seen, so resending a count is harmless.
 */
public final class EvictionLedger {
    static final String FILE = "evicted.json";

    private final Path file;
    private final Map<String, Long> counts = new HashMap<>();
    private final Map<String, Long> reported = new HashMap<>();

    EvictionLedger(Path dir) {
        this.file = dir.resolve(FILE);
    }

    /** The count evicted of that session so far (0 if none). */
    public synchronized long evicted(String sid) {
        return counts.getOrDefault(sid, 0L);
    }

    public synchronized long total() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Sessions whose current count the server has not acked yet, with that count. */
    public synchronized Map<String, Long> unreported() {
        Map<String, Long> out = new HashMap<>();
        counts.forEach((sid, n) -> {
            if (!n.equals(reported.get(sid))) {
                out.put(sid, n);
            }
        });
        return out;
    }

    /** The server acked a batch whose sessions map carried these counts. */
    public synchronized void markReported(Map<String, Long> sent) {
        sent.forEach((sid, n) -> reported.merge(sid, n, Math::max));
    }

    /** Adds evictions and persists the new totals before returning. */
    synchronized void add(Map<String, Long> removed) {
        removed.forEach((sid, n) -> counts.merge(sid, n, Long::sum));
        persist();
    }

    /**
     * Adds the counts of an adopted directory: the sessions' records in it were evicted on top
     * of any this daemon evicts, so the totals add up.
     */
    synchronized void absorb(Path adoptedDir) {
        Path other = adoptedDir.resolve(FILE);
        if (!Files.exists(other)) {
            return;
        }
        try {
            ObjectNode root = Json.parseObject(Files.readAllBytes(other));
            Iterator<Map.Entry<String, JsonNode>> it = root.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getValue().canConvertToLong()) {
                    counts.merge(e.getKey(), e.getValue().asLong(), Long::sum);
                }
            }
            persist();
            Files.delete(other);
        } catch (IOException | InvalidInputException e) {
            Log.warn("cannot read the eviction counts of " + adoptedDir + " (" + e.getMessage()
                    + "); its evicted records are not counted");
        }
    }

    private void persist() {
        ObjectNode root = Json.mapper().createObjectNode();
        counts.forEach(root::put);
        try {
            AtomicFiles.write(file, Json.mapper().writeValueAsBytes(root));
        } catch (IOException e) {
            Log.error("cannot persist the spool eviction counts to " + file
                    + "; they are kept in memory and still sent to the server", e);
        }
    }
}
