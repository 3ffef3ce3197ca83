package io.datacat.server.query;

import io.datacat.protocol.InvalidInputException;
import io.datacat.protocol.Timestamps;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The query string of a request, read with the checks every query route shares. A bad
 * value fails with a 400 that names the parameter. An empty value counts as absent.
 */
public final class QueryParams {
    private final Map<String, List<String>> params;

    private QueryParams(Map<String, List<String>> params) {
        this.params = params;
    }

    public static QueryParams of(Map<String, List<String>> params) {
        return new QueryParams(Map.copyOf(params));
    }

    /**
     * The parameters of a raw query string ({@code a=1&b=x%20y}, {@code +} for a space; null
     * for none). A name or value that is not validly percent-encoded UTF-8 is refused, naming
     * the parameter, rather than dropped: a filter that went missing would widen the answer.
     */
    public static QueryParams parse(String query) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        for (String pair : query == null ? new String[0] : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String rawName = eq < 0 ? pair : pair.substring(0, eq);
            String name = decode(rawName, rawName);
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1), name);
            params.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return of(params);
    }

    private static String decode(String raw, String param) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        int i = 0;
        while (i < raw.length()) {
            int percent = raw.indexOf('%', i);
            int literalEnd = percent < 0 ? raw.length() : percent;
            bytes.writeBytes(raw.substring(i, literalEnd).replace('+', ' ').getBytes(StandardCharsets.UTF_8));
            if (percent < 0) {
                break;
            }
            int hi = percent + 2 < raw.length() ? hexDigit(raw.charAt(percent + 1)) : -1;
            int lo = hi < 0 ? -1 : hexDigit(raw.charAt(percent + 2));
            if (lo < 0) {
                throw new InvalidInputException(param + " is not validly percent-encoded: '%' must be followed by two "
                        + "hex digits (send a literal % as %25)", param);
            }
            bytes.write(hi << 4 | lo);
            i = percent + 3;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new InvalidInputException(param + " is not validly percent-encoded: its bytes are not UTF-8", param);
        }
    }

    private static int hexDigit(char c) {
        return c < 128 ? Character.digit(c, 16) : -1;
    }

    /**
     * Refuses {@code limit} and {@code cursor} for a route that writes everything it finds
     * ({@code what}): ignored, they would let an export pass for a page.
     */
    public void refusePaging(String what) {
        for (String paging : List.of("limit", "cursor")) {
            if (text(paging, 1024) != null) {
                throw new InvalidInputException("the export writes every " + what + ": leave out " + paging, paging);
            }
        }
    }

    /** A single-valued parameter, or null. */
    public String text(String name, int maxChars) {
        List<String> values = params.getOrDefault(name, List.of()).stream().filter(v -> !v.isEmpty()).toList();
        if (values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw new InvalidInputException(name + " may be given once; got " + values.size() + " values", name);
        }
        String v = values.get(0);
        if (v.length() > maxChars) {
            throw new InvalidInputException(name + " is longer than " + maxChars + " characters", name);
        }
        return v;
    }

    /**
     * A single-valued parameter that takes one of a few keywords, or null. It has no length
     * limit of its own: the caller answers a wrong keyword, however long, with the keywords it
     * takes, which a "longer than" answer would hide.
     */
    public String keyword(String name) {
        return text(name, Integer.MAX_VALUE);
    }

    /** A parameter that may list several values, comma-separated or repeated. */
    public List<String> list(String name) {
        List<String> out = new ArrayList<>();
        for (String v : params.getOrDefault(name, List.of())) {
            for (String part : v.split(",")) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
        }
        return out;
    }

    /** {@code limit}: {@code dflt} when absent, otherwise 1 to {@code max}. */
    public int limit(int dflt, int max) {
        return number("limit", dflt, 1, max);
    }

    /** {@code true} or {@code false}; false when absent. */
    public boolean flag(String name) {
        String v = keyword(name);
        if (v == null || v.equals("false")) {
            return false;
        }
        if (v.equals("true")) {
            return true;
        }
        throw new InvalidInputException(name + " must be true or false, got '" + v + "'", name);
    }

    /** A required whole number of at least 1. */
    public long positive(String name) {
        String v = text(name, 20);
        if (v == null) {
            throw new InvalidInputException(name + " is required", name);
        }
        try {
            long n = Long.parseLong(v);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidInputException(name + " must be a whole number of at least 1, got '" + v + "'", name);
    }

    /** A whole number from {@code min} to {@code max}; {@code dflt} when absent. */
    public int number(String name, int dflt, int min, int max) {
        String v = text(name, 12);
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidInputException(name + " must be a whole number from " + min + " to " + max + ", got '" + v
                + "'", name);
    }

    /** A time given as RFC 3339 or as microseconds since the epoch; null when absent. */
    public Long time(String name) {
        String v = text(name, 64);
        if (v == null) {
            return null;
        }
        if (v.chars().allMatch(Character::isDigit)) {
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new InvalidInputException(name + " is out of range: " + v, name);
            }
        }
        return Timestamps.parse(v, name);
    }
}
