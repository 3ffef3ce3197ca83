package io.datacat.server.query;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.datacat.protocol.Json;

import java.io.IOException;
import java.io.OutputStream;

/**
 * An export as NDJSON (one JSON value per line), its request already checked: the queries
 * build it only once the parameters and the session are known to be good, so the route can
 * still answer those errors as JSON before it starts the 200 stream. Writing reads the store a
 * chunk at a time and sends each chunk on, never holding the whole export.
 *
 * @param fileName the name to save it under, made of {@code [A-Za-z0-9._-]} only
 */
public record NdjsonExport(String fileName, Body body) {
    public static final String CONTENT_TYPE = "application/x-ndjson; charset=utf-8";

    /** What an export writes. */
    @FunctionalInterface
    public interface Body {
        void writeTo(Lines lines) throws IOException;
    }

    /** Writes the export to {@code out} and closes it. */
    public void writeTo(OutputStream out) throws IOException {
        try (JsonGenerator g = Json.mapper().getFactory().createGenerator(out, JsonEncoding.UTF8)) {
            // Each value ends its own line (below); Jackson's default would separate them by a space.
            g.setRootValueSeparator(null);
            body.writeTo(new Lines(g));
        }
    }

    /** {@code text} with each character outside {@code [A-Za-z0-9._-]} made {@code _}: safe in a header and on disk. */
    static String safeFileName(String text) {
        return text.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /** The lines of an export. */
    public static final class Lines {
        private final JsonGenerator g;

        private Lines(JsonGenerator g) {
            this.g = g;
        }

        /** One value on a line of its own: a newline inside a string is written escaped, as {@code \n}. */
        public void write(JsonNode value) throws IOException {
            Json.mapper().writeTree(g, value);
            g.writeRaw('\n');
        }

        /** Sends what was written so far to the client: done after each chunk, so a long export streams. */
        public void flush() throws IOException {
            g.flush();
        }
    }
}
