package io.datacat.server.compat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.CompatInput;
import io.datacat.protocol.CrashReason;
import io.datacat.protocol.InvalidInputException;
import io.datacat.protocol.Json;
import io.datacat.protocol.Level;
import io.datacat.protocol.Limits;
import io.datacat.protocol.MetricType;
import io.datacat.protocol.RecordKind;
import io.datacat.protocol.Timestamps;
import io.datacat.server.ingest.ApiRecord;

import java.util.List;

/**
 * Turns the bodies of the compatible server routes (COMPAT section 1.3) into records of
 * docs/protocol.md. The records are then validated like any other, so the same limits apply.
 */
public final class CompatRequests {
    /** The 400 message of {@code POST /api/sessions}, kept word for word for existing clients. */
    public static final String PRODUCT_AND_VERSION_REQUIRED = "Product and version are required fields";

    /** Optional event fields that existing clients send empty ("", null, 0) when unset. */
    private static final List<String> OPTIONAL_EVENT_FIELDS = List.of("category", "group", "labels", "message", "data",
            "stacktrace", "exception_type", "exception_msg", "source_file", "source_line", "source_function");
    private static final List<String> OPTIONAL_METRIC_FIELDS = List.of("unit", "tags", "metadata", "count");

    private CompatRequests() {
    }

    /**
     * The {@code session_start} fields of {@code POST /api/sessions}. Like the original, an
     * unreadable body counts as one without product and version.
     */
    public static ObjectNode sessionStart(byte[] body) {
        ObjectNode in;
        try {
            in = Json.parseObject(body);
        } catch (InvalidInputException e) {
            throw new InvalidInputException(PRODUCT_AND_VERSION_REQUIRED);
        }
        String product = nonBlankText(in, "product");
        String version = nonBlankText(in, "version");
        if (product == null || version == null) {
            throw new InvalidInputException(PRODUCT_AND_VERSION_REQUIRED, product == null ? "product" : "version");
        }
        ObjectNode start = Json.mapper().createObjectNode().put("product", product).put("version", version);
        for (String optional : List.of("machine_id", "hostname")) {
            String v = nonBlankText(in, optional);
            if (v != null) {
                start.put(optional, v);
            }
        }
        return start;
    }

    /**
     * {@code POST …/state}: either {@code {"state": {…}, "timestamp": …}} or a plain state
     * object. In the plain form a top-level {@code timestamp} is the update's time (it must be
     * RFC 3339, as in the original) and is not merged into the state.
     */
    public static ApiRecord state(byte[] body) {
        ObjectNode in = Json.parseObject(body);
        Long ts = timestamp(in);
        JsonNode wrapped = in.get("state");
        ObjectNode patch;
        if (wrapped instanceof ObjectNode obj) {
            patch = obj;
        } else if (wrapped == null || wrapped.isNull()) {
            patch = in.deepCopy();
            patch.remove("timestamp");
            patch.remove("state");
        } else {
            throw new InvalidInputException("state must be an object, got " + Json.describe(wrapped), "state");
        }
        ObjectNode fields = Json.mapper().createObjectNode();
        fields.set("patch", patch);
        return new ApiRecord(RecordKind.STATE, ts, fields);
    }

    /**
     * {@code POST …/events}. The original's {@code category} carries the severity: when it
     * is a level name it becomes the record's {@code level}; any other category is kept as
     * a category. A non-empty {@code exception_type} makes the record an {@code exception},
     * whose default (or "info") level becomes {@code error}.
     */
    public static ApiRecord event(byte[] body) {
        ObjectNode fields = Json.parseObject(body);
        Long ts = timestamp(fields);
        fields.remove("timestamp");
        dropUnset(fields, OPTIONAL_EVENT_FIELDS);
        CompatInput.nameIfBlank(fields);
        boolean exception = fields.has("exception_type");
        JsonNode category = fields.get("category");
        Level fromCategory = category != null && category.isTextual() ? Level.fromWire(category.asText()) : null;
        if (!fields.hasNonNull("level")) {
            Level level = fromCategory == null ? Level.INFO : fromCategory;
            if (fromCategory != null) {
                fields.remove("category");
            }
            if (exception && level == Level.INFO) {
                level = Level.ERROR;
            }
            fields.put("level", level.wire());
        }
        return new ApiRecord(exception ? RecordKind.EXCEPTION : RecordKind.EVENT, ts, fields);
    }

    /**
     * {@code POST …/metrics}. {@code type} defaults to gauge. The original daemon sends a
     * counter's running total, not an increment, so such a counter is marked
     * {@code "cumulative": true} and its value is stored as sent; likewise its histograms,
     * running totals in {@code metadata} ({@code buckets} of {@code {"le","count"}}, {@code sum},
     * {@code count}), become a histogram record of those totals. A top-level {@code count} is
     * otherwise the caller's own tally, not a number of samples, so it travels as
     * {@code metadata.count}, as the daemon's compatible route sends it.
     */
    public static ApiRecord metric(byte[] body) {
        ObjectNode fields = Json.parseObject(body);
        Long ts = timestamp(fields);
        fields.remove("timestamp");
        dropUnset(fields, OPTIONAL_METRIC_FIELDS);
        CompatInput.nameIfBlank(fields);
        MetricType type = CompatInput.metricType(fields);
        if (type != null) {
            fields.put("type", type.wire());
        }
        if (type == MetricType.COUNTER) {
            fields.put("cumulative", true);
        }
        if (!(type == MetricType.HISTOGRAM && liftHistogramTotals(fields))) {
            moveCountToMetadata(fields);
        }
        return new ApiRecord(RecordKind.METRIC, ts, fields);
    }

    /**
     * The original daemon's histogram snapshot as the protocol's fields, when {@code metadata}
     * holds one: its last bucket also holds the samples above its bound (it has no +Inf bucket),
     * so that bound becomes +Inf. Returns false, changing nothing, for anything else, and for a
     * snapshot the protocol would refuse (bounds not ascending, over 256 buckets, a negative
     * count, a sum that overflows), which is then kept as one sample, as it was before.
     */
    private static boolean liftHistogramTotals(ObjectNode fields) {
        JsonNode metadata = fields.get("metadata");
        JsonNode buckets = metadata == null ? null : metadata.get("buckets");
        JsonNode count = metadata == null ? null : metadata.get("count");
        if (buckets == null || !buckets.isArray() || buckets.isEmpty() || count == null || !count.canConvertToLong()
                || count.asLong() < 0) {
            return false;
        }
        if (count.asLong() == 0) {
            // Running totals of no samples yet: stored as sent, and read as no sample at all.
            fields.put("cumulative", true);
            return true;
        }
        JsonNode sum = metadata.get("sum");
        double total = sum != null && sum.isNumber() ? sum.asDouble() : fields.path("value").asDouble() * count.asLong();
        if (buckets.size() > Limits.MAX_BUCKETS || !Double.isFinite(total)) {
            return false; // kept as it came, as before: never refused for what an older server took
        }
        ArrayNode lifted = Json.mapper().createArrayNode();
        double previous = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < buckets.size(); i++) {
            JsonNode b = buckets.get(i);
            if (!b.isObject() || !b.path("le").isNumber() || !Double.isFinite(b.path("le").asDouble())
                    || b.path("le").asDouble() <= previous || !b.path("count").canConvertToLong()
                    || b.path("count").asLong() < 0) {
                return false;
            }
            previous = b.path("le").asDouble();
            ObjectNode bucket = lifted.addObject();
            if (i == buckets.size() - 1) {
                bucket.put("le", "+Inf");
            } else {
                bucket.set("le", b.get("le"));
            }
            bucket.put("count", b.get("count").asLong());
        }
        ObjectNode rest = ((ObjectNode) metadata).deepCopy();
        rest.remove(List.of("buckets", "count", "sum"));
        // The bound the original daemon gave its last bucket: two lists that differ only there are
        // two histograms to it, and must stay two running totals here.
        rest.set("last_le", buckets.get(buckets.size() - 1).get("le"));
        fields.put("count", count.asLong());
        fields.put("sum", total);
        fields.set("buckets", lifted);
        fields.put("cumulative", true);
        if (rest.isEmpty()) {
            fields.remove("metadata");
        } else {
            fields.set("metadata", rest);
        }
        return true;
    }

    private static void moveCountToMetadata(ObjectNode fields) {
        JsonNode count = fields.remove("count");
        if (count == null) {
            return;
        }
        JsonNode metadata = fields.get("metadata");
        if (metadata == null || metadata.isNull()) {
            fields.putObject("metadata").set("count", count);
        } else if (metadata.isObject()) {
            ((ObjectNode) metadata).set("count", count);
        }
    }

    /**
     * {@code POST …/crash}: {@code {"reason": …}}. A body that is empty, unreadable or has no
     * reason gives {@code abnormal_termination}; an optional {@code message} (string) and
     * {@code detail} (object) are kept.
     */
    public static ApiRecord crash(byte[] body) {
        ObjectNode fields = Json.mapper().createObjectNode().put("reason", CrashReason.ABNORMAL_TERMINATION);
        ObjectNode in;
        try {
            in = Json.parseObject(body);
        } catch (InvalidInputException e) {
            return new ApiRecord(RecordKind.CRASH, null, fields);
        }
        String reason = nonBlankText(in, "reason");
        if (reason != null) {
            fields.put("reason", reason);
        }
        if (in.get("message") != null && in.get("message").isTextual()) {
            fields.set("message", in.get("message"));
        }
        if (in.get("detail") instanceof ObjectNode detail) {
            fields.set("detail", detail);
        }
        return new ApiRecord(RecordKind.CRASH, null, fields);
    }

    /** {@code POST …/end}: the body is ignored. */
    public static ApiRecord end() {
        return new ApiRecord(RecordKind.END, null, Json.mapper().createObjectNode());
    }

    /** The optional RFC 3339 {@code timestamp} of a body, in µs; null when absent. */
    private static Long timestamp(ObjectNode in) {
        JsonNode t = in.get("timestamp");
        if (t == null || t.isNull()) {
            return null;
        }
        if (!t.isTextual()) {
            throw new InvalidInputException("timestamp must be an RFC 3339 time such as 2026-11-28T10:15:30Z, got "
                    + Json.describe(t), "timestamp");
        }
        long micros = Timestamps.parse(t.asText(), "timestamp");
        // The old Go daemon sends its own events (hang, recovery, crash) with Go's zero time,
        // 0001-01-01T00:00:00Z, for "no time set": they get the time they arrive, like an event without one.
        return micros == GO_ZERO_TIME ? null : micros;
    }

    private static final long GO_ZERO_TIME = Timestamps.parse("0001-01-01T00:00:00Z", "timestamp");

    /** Removes the fields existing clients send as "", null, [], {} or 0 to mean "not set". */
    private static void dropUnset(ObjectNode fields, List<String> names) {
        for (String name : names) {
            JsonNode v = fields.get(name);
            if (v != null && (v.isNull()
                    || (v.isTextual() && v.asText().isEmpty())
                    || (v.isContainerNode() && v.isEmpty())
                    || (v.isIntegralNumber() && v.asLong() == 0))) {
                fields.remove(name);
            }
        }
    }

    private static String nonBlankText(ObjectNode in, String field) {
        JsonNode v = in.get(field);
        return v != null && v.isTextual() && !v.asText().isBlank() ? v.asText() : null;
    }
}
