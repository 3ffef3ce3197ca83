package io.datacat.protocol;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Record timestamps are microseconds since the Unix epoch; APIs show them as RFC 3339. */
public final class Timestamps {
    private static final DateTimeFormatter RFC3339_MICROS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private Timestamps() {
    }

    /** The current time in microseconds since the epoch. */
    public static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    public static Instant toInstant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    /** RFC 3339 in UTC with microseconds, e.g. {@code 2026-11-28T02:12:37.123456Z}. */
    public static String format(long micros) {
        return RFC3339_MICROS.format(toInstant(micros));
    }

    /**
     * Parses an RFC 3339 time (any offset, any fraction) into microseconds.
     *
     * @throws InvalidInputException when it is not one
     */
    public static long parse(String text, String field) {
        try {
            Instant i = OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
            return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000;
        } catch (DateTimeParseException | NullPointerException e) {
            throw new InvalidInputException(field + " must be an RFC 3339 time such as 2026-11-28T10:15:30Z, got '"
                    + text + "'", field);
        }
    }
}
