package io.datacat.server.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.Json;
import io.datacat.protocol.MetricType;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The records of one metric series (name, type and tags) folded into at most {@code points}
 * equal time buckets over a range, so a chart gets a bounded number of points however many
 * records there are. Per bucket: gauges keep average, min, max and last; counters the sum of
 * their increments (a rate, and a running total); histograms and timers merge their buckets,
 * from which p50/p95/p99 are read.
 *
 * <p>Empty buckets are left out, except where the series fell silent (a gap, see
 * {@link #GAP_FACTOR}): there the first empty bucket is a point of nulls, so a chart breaks
 * its line instead of drawing a ramp across the silence.
 */
final class MetricSeries {
    /**
     * A silence is a gap when it spans a whole empty bucket and lasts this many times the
     * series' usual time between records: a metric sent every 5 s in 2 s buckets has empty
     * buckets all along without being silent.
     */
    static final double GAP_FACTOR = 3;
    /** The point fields of each type, in the order they are written. */
    private static final Map<MetricType, List<String>> FIELDS = Map.of(
            MetricType.GAUGE, List.of("avg", "last", "max", "min"),
            MetricType.COUNTER, List.of("rate", "sum", "total"),
            MetricType.HISTOGRAM, List.of("count", "max", "mean", "p50", "p95", "p99"),
            MetricType.TIMER, List.of("count", "max", "mean", "p50", "p95", "p99"));

    private final String name;
    private final MetricType type;
    private final List<String> tags;
    private final long from;
    private final long span;
    private final Bucket[] buckets;
    private final Bucket whole = new Bucket();
    private String unit;
    /**
     * The last running total of a counter sent as {@code "cumulative": true}, per tag set (a
     * series of a session can hold several), to turn totals into increments.
     */
    private final Map<List<String>, Double> lastCumulative = new HashMap<>();
    /** The last running totals of a histogram sent as {@code "cumulative": true}, per tag set and bucket list. */
    private final Map<List<Object>, JsonNode> lastHistogramTotals = new HashMap<>();
    /**
     * Per tag set, the time of its previous counter record: the start of the window the next one
     * covers (a series of several tag sets, as across sessions, has a running count per tag set).
     */
    private final Map<List<String>, Long> lastCounterTs = new HashMap<>();
    /** A counter window whose start is not known. */
    private static final long UNKNOWN = Long.MIN_VALUE;
    /** Per chart bucket, the increments spread into it from windows ending or starting inside it. */
    private double[] rateIncrements;
    /**
     * The increments per µs of the windows that cover whole buckets, as changes from one bucket
     * to the next (added where such a window's first whole bucket begins, taken off after its
     * last), so a window over many buckets costs two entries, not one per bucket.
     */
    private double[] densityChange;
    /** Windows covering each chart bucket, as changes from one bucket to the next. */
    private int[] coverageChange;
    /**
     * Whether a counter's first record covers the time since {@code from}: true when the range
     * starts with the session, false for a range that starts within it, where the record before
     * the range is not read and the first record's interval is unknown (left out of the rate).
     */
    private boolean firstCounterFromStart = true;

    /**
     * @param from   the range's first time (µs)
     * @param to     its last time (µs, included)
     * @param points the number of buckets, at least 1
     */
    MetricSeries(String name, MetricType type, List<String> tags, long from, long to, int points) {
        this.name = name;
        this.type = type;
        this.tags = List.copyOf(tags);
        this.from = from;
        this.span = Math.max(1, to - from + 1);
        this.buckets = new Bucket[points];
    }

    /** The key that tells series apart: name, type and tags. */
    static String key(String name, MetricType type, List<String> tags) {
        return name + '\u0000' + type.wire() + '\u0000' + String.join("\u0000", tags);
    }

    /** A record's tags, sorted: the same tags in another order are the same series. */
    static List<String> tags(JsonNode body) {
        List<String> tags = new ArrayList<>();
        body.path("tags").forEach(t -> tags.add(t.asText()));
        tags.sort(null);
        return tags;
    }

    static boolean cumulative(JsonNode body) {
        // JSON true only, as the stores' running-total queries read it (not 1, not "true").
        return body.path("cumulative").isBoolean() && body.get("cumulative").booleanValue();
    }

    MetricType type() {
        return type;
    }

    /** What the whole range has seen: the summary's figures, for merging series of many sessions. */
    Bucket whole() {
        return whole;
    }

    /**
     * The running total a cumulative counter with these tags had before the range, so that its
     * first record in the range counts only what was added since.
     */
    void seed(List<String> tags, double runningTotal) {
        lastCumulative.put(List.copyOf(tags), runningTotal);
    }

    /** Folds in one metric record's fields (its stored body) taken at {@code ts}. */
    void add(long ts, JsonNode body) {
        if (unit == null && body.hasNonNull("unit")) {
            unit = body.get("unit").asText();
        }
        int i = bucketOf(ts);
        if (buckets[i] == null) {
            buckets[i] = new Bucket();
        }
        buckets[i].seenAt(ts);
        whole.seenAt(ts);
        double value = body.path("value").asDouble();
        switch (type) {
            case GAUGE -> {
                buckets[i].sample(value);
                whole.sample(value);
            }
            case COUNTER -> {
                double increment = cumulative(body) ? increment(tags(body), value) : value;
                long windowStart = counterWindowStart(ts, body);
                buckets[i].increment(increment);
                whole.increment(increment);
                if (windowStart != UNKNOWN) {
                    buckets[i].covered(increment, windowStart, ts);
                    whole.covered(increment, windowStart, ts);
                    spread(increment, windowStart, ts);
                }
            }
            case HISTOGRAM, TIMER -> {
                JsonNode samples = cumulative(body) ? histogramIncrement(tags(body), body) : body;
                if (samples != null) {
                    buckets[i].distribution(samples, samples.path("value").asDouble(value));
                    whole.distribution(samples, samples.path("value").asDouble(value));
                }
            }
        }
    }

    /**
     * The samples a histogram's running totals ({@code "cumulative": true}, as the original
     * daemon sends them) added since its tag set's previous totals: the difference of counts,
     * sums and bucket counts; all of them when the count went down (the sender restarted).
     * Null when nothing was added, and for the first totals of a range that starts within the
     * session, whose previous totals lie before the range (unknown, as for counters).
     */
    private JsonNode histogramIncrement(List<String> recordTags, JsonNode totals) {
        if (totals.path("count").asLong(0) < 1) {
            return null; // totals of no samples yet
        }
        // The original daemon keeps a histogram per tag set and bucket list: so do its totals here.
        List<Object> key = List.of(recordTags, bounds(totals), totals.path("metadata").path("last_le").asDouble(0));
        JsonNode previous = lastHistogramTotals.put(key, totals);
        if (previous == null && !firstCounterFromStart) {
            return null;
        }
        long count = totals.path("count").asLong(0);
        if (previous == null || count < previous.path("count").asLong(0)) {
            return totals;
        }
        long added = count - previous.path("count").asLong(0);
        if (added <= 0) {
            return null;
        }
        Map<Double, Long> before = new HashMap<>();
        for (JsonNode b : previous.path("buckets")) {
            before.merge(bound(b), b.path("count").asLong(0), Long::sum);
        }
        ObjectNode increment = Json.mapper().createObjectNode();
        double sum = totals.path("sum").asDouble() - previous.path("sum").asDouble();
        increment.put("count", added).put("sum", sum).put("value", sum / added);
        ArrayNode buckets = increment.putArray("buckets");
        for (JsonNode b : totals.path("buckets")) {
            buckets.addObject().set("le", b.get("le"));
            ((ObjectNode) buckets.get(buckets.size() - 1)).put("count",
                    Math.max(0, b.path("count").asLong(0) - before.getOrDefault(bound(b), 0L)));
        }
        return increment;
    }

    private static List<Double> bounds(JsonNode record) {
        List<Double> bounds = new ArrayList<>();
        record.path("buckets").forEach(b -> bounds.add(bound(b)));
        return bounds;
    }

    /** A bucket's upper bound, {@code "+Inf"} as infinity. */
    static double bound(JsonNode bucket) {
        JsonNode le = bucket.path("le");
        return le.isNumber() ? le.asDouble() : Double.POSITIVE_INFINITY;
    }

    /** Marks the range as starting within the session (see {@link #firstCounterFromStart}). */
    void startsWithinSession() {
        firstCounterFromStart = false;
    }

    /**
     * When a counter record's increments began to accumulate: {@code interval_ms} before it (the
     * client's metrics interval, so a burst after a silence is not spread over the silence),
     * else at its tag set's previous record; {@link #UNKNOWN} when neither is known.
     */
    private long counterWindowStart(long ts, JsonNode body) {
        Long previous = lastCounterTs.put(tags(body), ts);
        long intervalMs = body.path("interval_ms").asLong(0);
        if (intervalMs > 0) {
            return ts - Math.min(intervalMs, ts / 1_000) * 1_000;
        }
        Long since = previous != null ? previous : firstCounterFromStart ? (Long) from : null;
        return since == null ? UNKNOWN : Math.min(since, ts);
    }

    /**
     * Spreads a counter record's increment evenly over its window {@code [start, ts]}, cut to
     * the range, across the chart buckets it overlaps, so each bucket's rate is what accumulated
     * within it over its width, wherever its edges fall: a record summing a second of calls makes
     * no spike in a 100 ms bucket, a bucket where the counter was idle shows a low rate, and two
     * tag sets' windows add up in every bucket they share.
     */
    private void spread(double increment, long start, long ts) {
        if (rateIncrements == null) {
            rateIncrements = new double[buckets.length];
            densityChange = new double[buckets.length + 1];
            coverageChange = new int[buckets.length + 1];
        }
        long end = Math.min(ts, from + span - 1);
        long begin = Math.max(start, from);
        if (end < begin) {
            return;
        }
        int first = bucketOf(begin);
        if (first < bucketOf(end) && bucketStart(first + 1) <= begin) {
            first++; // a window starting on a bucket's (rounded) start covers nothing of the one before
        }
        int last = bucketOf(end);
        coverageChange[first]++;
        coverageChange[last + 1]--;
        if (ts == start) {
            rateIncrements[last] += increment;
        } else if (first == last) {
            rateIncrements[last] += increment * (end - begin) / (double) (ts - start);
        } else {
            double density = increment / (double) (ts - start); // per µs
            rateIncrements[first] += density * (bucketStart(first + 1) - begin);
            rateIncrements[last] += density * (end - bucketStart(last));
            densityChange[first + 1] += density;
            densityChange[last] -= density;
        }
    }

    private int bucketOf(long ts) {
        return (int) scale(Math.min(Math.max(0, ts - from), span - 1), buckets.length, span);
    }

    private long bucketStart(int i) {
        return from + scale(i, span, buckets.length);
    }

    /** Per second, what the counter's windows put into chart bucket {@code i}; 0 without windows. */
    private double spreadRate(int i, double[] densityAt) {
        if (rateIncrements == null) {
            return 0;
        }
        long width = bucketStart(i + 1) - bucketStart(i);
        return width > 0 ? (rateIncrements[i] + densityAt[i] * width) / (width / 1e6) : 0;
    }

    private double increment(List<String> recordTags, double runningTotal) {
        Double last = lastCumulative.put(recordTags, runningTotal);
        // A running total that went down means the sender restarted its count.
        return last == null || runningTotal < last ? runningTotal : runningTotal - last;
    }

    /**
     * {@code a * b / c} rounded down, for {@code 0 <= a < c} and {@code b >= 0}: a range of
     * centuries in µs times the number of points does not fit a long.
     */
    static long scale(long a, long b, long c) {
        long product = a * b;
        if (Math.multiplyHigh(a, b) == 0 && product >= 0) {
            return product / c;
        }
        return BigInteger.valueOf(a).multiply(BigInteger.valueOf(b)).divide(BigInteger.valueOf(c)).longValueExact();
    }

    /**
     * {@code {"name","type","unit"?,"tags","points":{"t":[µs…], …}, "summary":{…}}}; the
     * point arrays are aligned with {@code t} (the start of each non-empty bucket).
     */
    ObjectNode toJson() {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("name", name);
        n.put("type", type.wire());
        if (unit != null) {
            n.put("unit", unit);
        }
        ArrayNode tagArray = n.putArray("tags");
        tags.forEach(tagArray::add);
        n.set("points", points());
        n.set("summary", summary());
        return finiteOnly(n);
    }

    /**
     * {@code node} with every number that is not finite (a sum past the largest double) made
     * null: JSON has no such numbers, and Jackson would write the text "Infinity".
     */
    static <T extends JsonNode> T finiteOnly(T node) {
        if (node instanceof ObjectNode o) {
            for (Map.Entry<String, JsonNode> e : o.properties()) {
                if (e.getValue().isNumber() && !Double.isFinite(e.getValue().doubleValue())) {
                    o.putNull(e.getKey());
                } else {
                    finiteOnly(e.getValue());
                }
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                if (a.get(i).isNumber() && !Double.isFinite(a.get(i).doubleValue())) {
                    a.set(i, a.nullNode());
                } else {
                    finiteOnly(a.get(i));
                }
            }
        }
        return node;
    }

    private ObjectNode points() {
        ObjectNode p = Json.mapper().createObjectNode();
        ArrayNode t = p.putArray("t");
        List<ArrayNode> columns = FIELDS.get(type).stream().map(p::putArray).toList();
        double usual = usualInterval();
        double[] densityAt = new double[buckets.length];
        int[] coveredBy = new int[buckets.length];
        for (int i = 0; coverageChange != null && i < buckets.length; i++) {
            densityAt[i] = i == 0 ? 0 : densityAt[i - 1] + densityChange[i];
            coveredBy[i] = (i == 0 ? 0 : coveredBy[i - 1]) + coverageChange[i];
        }
        // Windows of no length (records at one instant, a lone record at the range's start) give
        // no rate, as in the summary.
        boolean ratesKnown = whole.seconds() > 0;
        double total = 0;
        Integer previous = null;
        for (int i = 0; i < buckets.length; i++) {
            Bucket b = buckets[i];
            // A counter's windows reach into buckets without records: those get points of their
            // own (rate only), whatever the sign of what they carry.
            boolean covered = coveredBy[i] > 0;
            if (b == null && !covered) {
                continue;
            }
            if (previous != null && i - previous > 1 && silentBetween(previous, i, usual)) {
                t.add(from + scale(previous + 1, span, buckets.length));
                columns.forEach(ArrayNode::addNull);
            }
            previous = i;
            t.add(from + scale(i, span, buckets.length));
            total += type == MetricType.COUNTER && b != null ? b.sum : 0;
            Double rate = type != MetricType.COUNTER || !ratesKnown || !covered && (b == null || b.sum != 0) ? null
                    : spreadRate(i, densityAt);
            List<Double> values = b == null ? Arrays.asList(rate, 0.0, total) : values(b, total, rate);
            for (int c = 0; c < columns.size(); c++) {
                columns.get(c).add(values.get(c));
            }
        }
        return p;
    }

    /** A bucket's point, in the order of {@link #FIELDS}. */
    private List<Double> values(Bucket b, double total, Double rate) {
        return switch (type) {
            case GAUGE -> List.of(b.sum / b.count, b.last, b.max, b.min);
            case COUNTER -> Arrays.asList(rate, b.sum, total);
            case HISTOGRAM, TIMER -> List.of((double) b.count, b.max, b.sum / b.count, b.percentile(0.50),
                    b.percentile(0.95), b.percentile(0.99));
        };
    }

    /**
     * Whether the series was silent over the buckets between the shown buckets {@code before} and
     * {@code after}: for a counter, the stretch no window covers (its windows say what it did
     * while it sent nothing); for other metrics, the time between the two buckets' records.
     */
    private boolean silentBetween(int before, int after, double usual) {
        if (type == MetricType.COUNTER && rateIncrements != null) {
            long silence = scale(after, span, buckets.length) - scale(before + 1, span, buckets.length);
            return silence > GAP_FACTOR * usual;
        }
        return buckets[before] != null && buckets[after] != null && isGap(before, after, usual);
    }

    /** Whether the series was silent between the non-empty buckets {@code before} and {@code after}. */
    private boolean isGap(int before, int after, double usual) {
        long silence = buckets[after].firstTs - buckets[before].lastTs;
        return after - before > 1 && silence > GAP_FACTOR * usual;
    }

    /**
     * The series' usual time between records (µs): the median of the mean spacing inside each
     * bucket and the silences between non-empty buckets, so one long silence does not count as usual.
     */
    private double usualInterval() {
        List<Double> spacings = new ArrayList<>();
        Bucket previous = null;
        for (Bucket b : buckets) {
            if (b == null) {
                continue;
            }
            if (b.records > 1) {
                spacings.add((double) (b.lastTs - b.firstTs) / (b.records - 1));
            }
            if (previous != null) {
                spacings.add((double) (b.firstTs - previous.lastTs));
            }
            previous = b;
        }
        if (spacings.isEmpty()) {
            return Double.POSITIVE_INFINITY;
        }
        spacings.sort(null);
        return spacings.get(spacings.size() / 2);
    }

    private ObjectNode summary() {
        ObjectNode s = Json.mapper().createObjectNode();
        s.put("records", whole.records);
        if (whole.count == 0) {
            return s;
        }
        switch (type) {
            case GAUGE -> s.put("avg", whole.sum / whole.count).put("min", whole.min).put("max", whole.max)
                    .put("last", whole.last);
            case COUNTER -> s.put("total", whole.sum).put("rate", whole.rate());
            case HISTOGRAM, TIMER -> whole.putDistribution(s);
        }
        return s;
    }

    /** What one time bucket (or the whole range) has seen. */
    static final class Bucket {
        long firstTs = Long.MAX_VALUE;
        long lastTs = Long.MIN_VALUE;
        long records;
        long count;
        double sum;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double last;
        /** The increments of the counter records whose window is known: the rate's numerator. */
        double timedSum;
        /** The earliest start and latest end of those windows (µs). */
        long coveredFrom = Long.MAX_VALUE;
        long coveredTo = Long.MIN_VALUE;
        /** The longest of those windows (µs), -1 while none is known. */
        long longestWindow = -1;
        /** Seconds covered by other series merged in: sessions are timelines of their own. */
        double mergedSeconds;
        /** Upper bound ("le") → the samples at or below it, for distributions. */
        final TreeMap<Double, Cell> cells = new TreeMap<>();

        void seenAt(long ts) {
            firstTs = Math.min(firstTs, ts);
            lastTs = Math.max(lastTs, ts);
        }

        void sample(double v) {
            records++;
            count++;
            sum += v;
            min = Math.min(min, v);
            max = Math.max(max, v);
            last = v;
        }

        /** A counter record's increment. */
        void increment(double v) {
            records++;
            count++;
            sum += v;
        }

        /** A counter record's increment that accumulated over {@code [start, end]}: it counts in the rate. */
        void covered(double v, long start, long end) {
            timedSum += v;
            coveredFrom = Math.min(coveredFrom, start);
            coveredTo = Math.max(coveredTo, end);
            longestWindow = Math.max(longestWindow, end - start);
        }

        /** The seconds the rate is over: from the earliest window's start to the latest record. */
        double seconds() {
            return mergedSeconds + (coveredTo > coveredFrom ? (coveredTo - coveredFrom) / 1e6 : 0);
        }

        /**
         * Adds what {@code other} has seen to this bucket, as if its records had been folded in
         * here too: sums and counts add up, distributions merge bucket by bucket, and
         * {@code last} is the later of the two.
         */
        void merge(Bucket other) {
            if (other.lastTs >= lastTs) {
                last = other.last;
            }
            firstTs = Math.min(firstTs, other.firstTs);
            lastTs = Math.max(lastTs, other.lastTs);
            records += other.records;
            count += other.count;
            sum += other.sum;
            min = Math.min(min, other.min);
            max = Math.max(max, other.max);
            mergedSeconds += other.seconds();
            timedSum += other.timedSum;
            longestWindow = Math.max(longestWindow, other.longestWindow);
            other.cells.forEach((upper, c) -> cell(upper, c.lower).count += c.count);
        }

        /** A distribution's figures: count, sum, mean, min, max, p50, p95 and p99. */
        void putDistribution(ObjectNode n) {
            n.put("count", count).put("sum", sum).put("mean", sum / count).put("min", min).put("max", max)
                    .put("p50", percentile(0.50)).put("p95", percentile(0.95)).put("p99", percentile(0.99));
        }

        /**
         * Increments per second over the time the records' windows span (idle stretches between
         * them included); null when no window is known (a lone first record of a range that
         * starts within the session).
         */
        Double rate() {
            double seconds = seconds();
            if (seconds > 0) {
                return timedSum / seconds;
            }
            return sum == 0 ? Double.valueOf(0) : null;
        }

        /**
         * A histogram or timer record: an aggregate ({@code count}, {@code sum}, {@code min},
         * {@code max}, optional {@code buckets}) or a single sample ({@code value}).
         */
        void distribution(JsonNode body, double value) {
            records++;
            long n = body.path("count").asLong(0);
            if (n < 1) {
                count++;
                sum += value;
                min = Math.min(min, value);
                max = Math.max(max, value);
                cell(value, value).count++;
                return;
            }
            count += n;
            sum += body.path("sum").asDouble(value * n);
            JsonNode bounds = body.path("buckets");
            if (!bounds.isArray() || bounds.isEmpty()) {
                // Without buckets all that is known is the mean.
                min = Math.min(min, body.path("min").asDouble(value));
                max = Math.max(max, body.path("max").asDouble(value));
                cell(value, value).count += n;
                return;
            }
            // A bucket spans from the bound before it in its own record to its "le": a client
            // that sends only the buckets it hit sends the bound below each run of them too
            // (with count 0), so a gap between two hit buckets is never read as one wide bucket.
            // Without min and max (the original daemon's histograms), the buckets bound them.
            double lower = Double.NEGATIVE_INFINITY;
            double lowest = Double.POSITIVE_INFINITY;
            double highest = Double.NEGATIVE_INFINITY;
            for (JsonNode b : bounds) {
                double upper = bound(b);
                long c = b.path("count").asLong(0);
                cell(upper, lower).count += c;
                if (c > 0) {
                    lowest = Math.min(lowest, Double.isInfinite(lower) ? Math.min(upper, 0) : lower);
                    highest = Math.max(highest, Double.isInfinite(upper) ? lower : upper);
                }
                lower = upper;
            }
            // The mean lies within the samples: a floor for the maximum, a ceiling for the minimum.
            double mean = body.path("sum").asDouble(value * n) / n;
            min = Math.min(min, body.path("min").asDouble(Math.min(lowest, mean)));
            max = Math.max(max, body.path("max").asDouble(Math.max(highest, mean)));
        }

        /**
         * The cell of samples at or below {@code upper} and above {@code lower}; where records
         * disagree on the lower bound (a single sample is its own bound), the narrowest wins.
         */
        private Cell cell(double upper, double lower) {
            Cell c = cells.computeIfAbsent(upper, u -> new Cell());
            c.lower = Math.max(c.lower, lower);
            return c;
        }

        /**
         * The {@code q}-quantile, interpolated linearly inside the cell that holds it (between its
         * lower bound, or the cell before it, and its upper bound), kept within the observed min
         * and max (the +Inf bucket ends at max).
         */
        double percentile(double q) {
            long total = 0;
            for (Cell c : cells.values()) {
                total += c.count;
            }
            if (total == 0) {
                return sum / count; // buckets that hold no samples say nothing beyond the mean
            }
            double rank = q * total;
            long below = 0;
            double previousUpper = min;
            for (Map.Entry<Double, Cell> e : cells.entrySet()) {
                long c = e.getValue().count;
                double upper = clamp(e.getKey());
                if (c > 0 && below + c >= rank) {
                    double lower = clamp(Math.max(e.getValue().lower, previousUpper));
                    return lower + (upper - lower) * (rank - below) / c;
                }
                below += c;
                previousUpper = upper;
            }
            return max;
        }

        private double clamp(double v) {
            return Math.max(min, Math.min(max, v));
        }
    }

    /** The samples of a distribution in one bucket: above {@code lower}, at or below the bucket's upper bound. */
    private static final class Cell {
        double lower = Double.NEGATIVE_INFINITY;
        long count;
    }
}
