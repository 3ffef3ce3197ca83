package io.datacat.server.query;

import io.datacat.protocol.InvalidInputException;
import io.datacat.protocol.Source;
import io.datacat.server.store.RecordCursor;
import io.datacat.server.store.SessionCursor;
import io.datacat.server.store.StateKey;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The opaque {@code cursor} / {@code next_cursor} strings of the paged routes: the position
 * of the last item of a page, base64url-encoded so clients pass it back unchanged rather
 * than build one.
 */
final class Cursors {
    private static final String INVALID = "cursor is not valid; pass the next_cursor of the previous page unchanged";

    private Cursors() {
    }

    static String session(SessionCursor c) {
        return encode("s:" + c.createdAt() + ":" + c.id());
    }

    static SessionCursor session(String cursor) {
        String[] p = decode(cursor, "s", 3);
        return new SessionCursor(number(p[1]), p[2]);
    }

    static String record(RecordCursor c) {
        return encode("r:" + c.ts() + ":" + c.src().wire() + ":" + c.seq());
    }

    static RecordCursor record(String cursor) {
        String[] p = decode(cursor, "r", 4);
        return new RecordCursor(number(p[1]), source(p[2]), number(p[3]));
    }

    static String state(StateKey k) {
        return encode("h:" + k.src().wire() + ":" + k.seq());
    }

    static StateKey state(String cursor) {
        String[] p = decode(cursor, "h", 3);
        return new StateKey(source(p[1]), number(p[2]));
    }

    private static String encode(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String[] decode(String cursor, String kind, int parts) {
        String text;
        try {
            text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(INVALID, "cursor");
        }
        String[] p = text.split(":", parts);
        if (p.length != parts || !p[0].equals(kind)) {
            throw new InvalidInputException(INVALID, "cursor");
        }
        return p;
    }

    private static long number(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new InvalidInputException(INVALID, "cursor");
        }
    }

    private static Source source(String s) {
        Source src = Source.fromWire(s);
        if (src == null) {
            throw new InvalidInputException(INVALID, "cursor");
        }
        return src;
    }
}
