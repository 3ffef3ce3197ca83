package io.datacat.protocol;

import java.util.Locale;

/** Severity of an event. */
public enum Level {
    DEBUG, INFO, WARNING, ERROR, CRITICAL;

    private final String wire = name().toLowerCase(Locale.ROOT);

    public String wire() {
        return wire;
    }

    /** The level with that wire name (also accepts {@code warn} and {@code fatal}), or null. */
    public static Level fromWire(String s) {
        if (s == null) {
            return null;
        }
        String v = s.toLowerCase(Locale.ROOT);
        return switch (v) {
            case "debug" -> DEBUG;
            case "info" -> INFO;
            case "warning", "warn" -> WARNING;
            case "error" -> ERROR;
            case "critical", "fatal" -> CRITICAL;
            default -> null;
        };
    }
}
