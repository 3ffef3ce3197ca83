package io.datacat.client;

/** Severity of an event. */
public enum Level {
    DEBUG("debug"), INFO("info"), WARNING("warning"), ERROR("error"), CRITICAL("critical");

    private final String wire;

    Level(String wire) {
        this.wire = wire;
    }

    /** The name DataCat stores ({@code info}, {@code warning}, …). */
    public String wireName() {
        return wire;
    }
}
