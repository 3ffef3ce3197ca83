package io.datacat.client.send;

/**
 * The identity of a metric handle ({@code session.counter("enemies")}): built once when
 * the handle is made, so a steady-state call only stores a reference to it.
 */
public final class MetricKey {
    private final String name;
    private final String[] tags;
    private final byte kind;
    private final String unit;
    private final double[] bounds;
    /** The sender thread's aggregate for this key; touched by the sender thread only. */
    Aggregate aggregate;

    /**
     * @throws IllegalArgumentException if {@code bounds} has more bounds than a histogram record
     *         may carry buckets (the protocol's 256, +Inf included)
     */
    public MetricKey(String name, String[] tags, byte kind, String unit, double[] bounds) {
        if (bounds != null && bounds.length >= Aggregate.MAX_BUCKETS) {
            throw new IllegalArgumentException("at most " + (Aggregate.MAX_BUCKETS - 1) + " bucket bounds, not "
                    + bounds.length + " (a histogram record carries at most " + Aggregate.MAX_BUCKETS
                    + " buckets, +Inf included)");
        }
        this.name = name;
        this.tags = tags == null ? new String[0] : tags.clone();
        this.kind = kind;
        this.unit = unit;
        this.bounds = bounds == null ? null : bounds.clone();
    }

    public String name() {
        return name;
    }

    public String[] tags() {
        return tags;
    }

    public byte kind() {
        return kind;
    }

    public String unit() {
        return unit;
    }

    /** Explicit histogram bucket upper bounds (ascending), or null for DataCat's log-linear buckets. */
    public double[] bounds() {
        return bounds;
    }
}
