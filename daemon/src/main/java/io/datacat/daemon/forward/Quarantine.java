package io.datacat.daemon.forward;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.daemon.spool.AtomicFiles;
import io.datacat.daemon.spool.Frame;
import io.datacat.daemon.spool.FramePayload;
import io.datacat.protocol.Json;
import io.datacat.protocol.Timestamps;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code rejected/} folder: frames the server refused for good, one JSON file each,
 * {@code {"rejected_at", "status", "error", "batch"}}, kept for a human to inspect.
 */
final class Quarantine {
    private final Path dir;
    private final AtomicLong stored = new AtomicLong();

    Quarantine(Path dir) {
        this.dir = dir;
    }

    /** Stores the frame and returns the file it went to. */
    Path store(Frame frame, int status, String error) throws IOException {
        Files.createDirectories(dir);
        ObjectNode head = Json.mapper().createObjectNode();
        head.put("rejected_at", Timestamps.format(Timestamps.nowMicros()));
        head.put("status", status);
        head.put("error", error);
        byte[] headBytes = Json.mapper().writeValueAsBytes(head);
        byte[] batch = FramePayload.toBatch(frame.contents());
        ByteArrayOutputStream out = new ByteArrayOutputStream(headBytes.length + batch.length + 16);
        out.write(headBytes, 0, headBytes.length - 1);
        out.writeBytes(",\"batch\":".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(batch);
        out.write('}');
        Path file = dir.resolve(String.format("%d-%d.json", System.currentTimeMillis(), stored.incrementAndGet()));
        AtomicFiles.write(file, out.toByteArray());
        return file;
    }

    long count() {
        return stored.get();
    }
}
