package io.datacat.daemon.compat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.InvalidInputException;
import io.datacat.protocol.Json;
import io.datacat.protocol.Limits;
import io.datacat.protocol.RecordValidator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Counters (with {@code delta}) and histograms of compatible clients, summed per session and
 * series over one flush interval ({@code batch_interval_seconds}) and then reset: each flush
 * yields one {@code counter} record per series whose value is the sum of the increments since
 * the last flush, and one {@code histogram} record per series with count, sum, min, max, mean
 * and per-bucket counts. A series is its name plus its sorted tags (plus, for a histogram, its
 * bucket bounds).
 */
public final class MetricAggregator {
    /** The compatible daemon's default histogram bounds. */
    public static final double[] DEFAULT_BOUNDS =
            {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0};

    private final int maxSeriesPerSession;
    private final long maxHeldBytes;
    private final Map<String, Map<String, Series>> bySession = new HashMap<>();
    /** What the series of all sessions hold, estimated (the daemon runs in a small heap). */
    private long heldBytes;
    private final Map<String, Long> heldBySession = new HashMap<>();

    private abstract static class Series {
        final String name;
        final List<String> tags;
        final String unit;

        Series(String name, List<String> tags, String unit) {
            this.name = name;
            this.tags = tags;
            this.unit = unit;
        }

        abstract ObjectNode toRecordFields();

        ObjectNode common(String type, double value) {
            ObjectNode f = Json.mapper().createObjectNode();
            f.put("kind", "metric");
            f.put("name", name);
            f.put("type", type);
            f.put("value", value);
            ArrayNode t = f.putArray("tags");
            tags.forEach(t::add);
            if (unit != null) {
                f.put("unit", unit);
            }
            return f;
        }
    }

    private static final class CounterSeries extends Series {
        double sum;

        CounterSeries(String name, List<String> tags, String unit) {
            super(name, tags, unit);
        }

        @Override
        ObjectNode toRecordFields() {
            return common("counter", sum);
        }
    }

    private static final class HistogramSeries extends Series {
        final Histogram histogram;
        final ObjectNode metadata;

        HistogramSeries(String name, List<String> tags, String unit, double[] bounds, ObjectNode metadata) {
            super(name, tags, unit);
            this.histogram = new Histogram(bounds);
            this.metadata = metadata;
        }

        @Override
        ObjectNode toRecordFields() {
            ObjectNode f = common("histogram", histogram.mean());
            f.put("count", histogram.count());
            f.put("sum", histogram.sum());
            f.put("min", histogram.min());
            f.put("max", histogram.max());
            f.set("buckets", histogram.bucketsJson());
            if (metadata != null && !metadata.isEmpty()) {
                f.set("metadata", metadata);
            }
            return f;
        }
    }

    /**
     * @param maxSeriesPerSession bound on distinct series per session and interval
     * @param maxHeldBytes        bound on the memory all sessions' series hold (estimated)
     */
    public MetricAggregator(int maxSeriesPerSession, long maxHeldBytes) {
        this.maxSeriesPerSession = maxSeriesPerSession;
        this.maxHeldBytes = maxHeldBytes;
    }

    /** Adds an increment to a counter series. */
    public synchronized void addCounter(String sid, String name, List<String> tags, double delta, String unit) {
        List<String> sorted = sorted(tags);
        CounterSeries s = (CounterSeries) series(sid, "c\0" + name + "\0" + String.join("\1", sorted),
                () -> new CounterSeries(name, sorted, unit));
        s.sum = finiteSum(s.sum, delta, "delta");
    }

    /**
     * {@code sum + value}, refused (400, nothing added) when it is no longer a finite number: a
     * record with an infinite value could never be sent, and it would hold back the session's
     * end and crash report with it.
     */
    private static double finiteSum(double sum, double value, String field) {
        double next = sum + value;
        if (!Double.isFinite(next)) {
            throw new InvalidInputException(field + " " + value + " makes the sum of this metric's samples in the "
                    + "current interval overflow; send smaller values", field);
        }
        return next;
    }

    /**
     * Adds a sample to a histogram series.
     *
     * @param bounds   from {@link #bounds(JsonNode)}
     * @param metadata the sample's metadata without {@code buckets}; the first sample's is kept
     */
    public synchronized void addHistogram(String sid, String name, List<String> tags, double[] bounds, double value,
                                          String unit, ObjectNode metadata) {
        List<String> sorted = sorted(tags);
        HistogramSeries s = (HistogramSeries) series(sid,
                "h\0" + name + "\0" + String.join("\1", sorted) + "\0" + Arrays.toString(bounds),
                () -> new HistogramSeries(name, sorted, unit, bounds, metadata));
        finiteSum(s.histogram.sum(), value, "value");
        s.histogram.add(value);
    }

    private Series series(String sid, String key, Supplier<Series> create) {
        Map<String, Series> m = bySession.computeIfAbsent(sid, k -> new LinkedHashMap<>());
        Series s = m.get(key);
        if (s == null) {
            if (m.size() >= maxSeriesPerSession) {
                throw new InvalidInputException("this session already has " + maxSeriesPerSession
                        + " counter and histogram series in this flush interval, the limit; use fewer distinct "
                        + "metric names, tags or bucket lists");
            }
            s = create.get();
            long bytes = estimatedBytes(key, s);
            if (heldBytes + bytes > maxHeldBytes) {
                throw new InvalidInputException("the daemon holds " + heldBytes / 1024 + " KiB of counter and "
                        + "histogram series in this flush interval, its limit (" + maxHeldBytes / 1024 + " KiB); use "
                        + "fewer distinct metric names, tags or buckets, or a shorter batch_interval_seconds");
            }
            heldBytes += bytes;
            heldBySession.merge(sid, bytes, Long::sum);
            m.put(key, s);
        }
        return s;
    }

    /** A series' footprint: its key and names, and for a histogram its buckets and metadata. */
    private static long estimatedBytes(String key, Series s) {
        long bytes = 200 + 2L * key.length();
        if (s instanceof HistogramSeries h) {
            bytes += 16L * h.histogram.buckets() + (h.metadata == null ? 0 : 2L * h.metadata.toString().length());
        }
        return bytes;
    }

    /** The records (kind and fields) the session's series add up to since the last {@link #clear}. */
    public synchronized List<ObjectNode> pending(String sid) {
        Map<String, Series> m = bySession.get(sid);
        List<ObjectNode> out = new ArrayList<>();
        if (m != null) {
            m.values().forEach(s -> out.add(s.toRecordFields()));
        }
        return out;
    }

    /** Starts a new interval for the session (after its pending records were spooled). */
    public synchronized void clear(String sid) {
        bySession.remove(sid);
        Long held = heldBySession.remove(sid);
        if (held != null) {
            heldBytes -= held;
        }
    }

    public synchronized Set<String> sessionsWithData() {
        return new TreeSet<>(bySession.keySet());
    }

    private static List<String> sorted(List<String> tags) {
        List<String> s = new ArrayList<>(tags);
        s.sort(null);
        return List.copyOf(s);
    }

    /**
     * The bounds a histogram sample asks for in {@code metadata.buckets}: numbers, or
     * {@code "inf"}, {@code "Infinity"}, {@code "+Inf"} for an open top bucket; sorted and
     * without repeats. Absent or empty means {@link #DEFAULT_BOUNDS}.
     */
    public static double[] bounds(JsonNode buckets) {
        if (buckets == null || buckets.isNull() || buckets.isArray() && buckets.isEmpty()) {
            return DEFAULT_BOUNDS;
        }
        if (!buckets.isArray()) {
            throw new InvalidInputException("metadata.buckets must be an array of upper bounds, e.g. "
                    + "[0.1, 1, 10, \"inf\"]", "metadata.buckets");
        }
        TreeSet<Double> set = new TreeSet<>();
        for (int i = 0; i < buckets.size(); i++) {
            JsonNode b = buckets.get(i);
            if (b.isNumber() && Double.isFinite(b.asDouble())) {
                set.add(b.asDouble());
            } else if (b.isTextual() && RecordValidator.isInfinity(b.asText())) {
                set.add(Double.POSITIVE_INFINITY);
            } else {
                throw new InvalidInputException("metadata.buckets[" + i + "] must be a finite number or \"inf\", got "
                        + Json.describe(b), "metadata.buckets[" + i + "]");
            }
        }
        if (set.size() > Limits.MAX_BUCKETS - 1) {
            throw new InvalidInputException("metadata.buckets holds at most " + (Limits.MAX_BUCKETS - 1)
                    + " bounds", "metadata.buckets");
        }
        return set.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
