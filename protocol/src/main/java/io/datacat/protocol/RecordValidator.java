package io.datacat.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.regex.Pattern;

/**
 * Checks one record against docs/protocol.md and returns it normalised (defaults filled
 * in). Every failure is an {@link InvalidInputException} naming the field.
 */
public final class RecordValidator {
    private static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9._:-]{1," + Limits.MAX_ID_CHARS + "}");
    /** Year 5000 in microseconds: anything later is a unit mistake (nanoseconds), not a time. */
    private static final long MAX_TS = 95_617_584_000_000_000L;

    private RecordValidator() {
    }

    /** Validates {@code node} (found at JSON path {@code path}) and returns the record; {@code node} is not changed. */
    public static WireRecord validate(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            throw new InvalidInputException(path + " must be an object, got " + Json.describe(node), path);
        }
        return validateOwned(((ObjectNode) node).deepCopy(), path, null);
    }

    /**
     * Validates a record the caller owns and will not use otherwise (a freshly parsed batch):
     * defaults are filled in place instead of in a copy, which spares a deep copy per record
     * on the ingest path.
     *
     * @param knownSid a session id already checked (the previous record's), or null
     */
    static WireRecord validateOwned(JsonNode node, String path, String knownSid) {
        if (node == null || !node.isObject()) {
            throw new InvalidInputException(path + " must be an object, got " + Json.describe(node), path);
        }
        ObjectNode body = (ObjectNode) node;
        String sid = requiredText(body, "sid", path, Limits.MAX_ID_CHARS);
        if (!sid.equals(knownSid)) {
            checkSessionId(sid, path + ".sid");
        }
        Source src = Source.APP;
        JsonNode srcNode = body.get("src");
        if (srcNode != null && !srcNode.isNull()) {
            src = srcNode.isTextual() ? Source.fromWire(srcNode.asText()) : null;
            if (src == null) {
                throw new InvalidInputException(path + ".src must be \"app\", \"daemon\" or \"api\"", path + ".src");
            }
        }
        body.put("src", src.wire());
        long seq = requiredLong(body, "seq", path);
        if (seq < 1) {
            throw new InvalidInputException(path + ".seq must be 1 or more, got " + seq, path + ".seq");
        }
        String kindText = requiredText(body, "kind", path, 32);
        RecordKind kind = RecordKind.fromWire(kindText);
        if (kind == null) {
            throw new InvalidInputException(path + ".kind '" + kindText + "' is not one of session_start, event, "
                    + "exception, metric, state, end, crash, hang, recovered", path + ".kind");
        }
        long ts = requiredLong(body, "ts", path);
        if (ts <= 0 || ts > MAX_TS) {
            throw new InvalidInputException(path + ".ts must be microseconds since the Unix epoch, got " + ts,
                    path + ".ts");
        }
        switch (kind) {
            case SESSION_START -> sessionStart(body, path);
            case EVENT -> event(body, path, false);
            case EXCEPTION -> event(body, path, true);
            case METRIC -> metric(body, path);
            case STATE -> requiredObject(body, "patch", path);
            case END -> optionalText(body, "reason", path, Limits.MAX_SHORT_TEXT_CHARS);
            case CRASH -> crash(body, path);
            case HANG -> hang(body, path);
            case RECOVERED -> optionalLong(body, "duration_ms", path);
        }
        if (!allFinite(body)) {
            throw new InvalidInputException(path + " contains a number that is not finite (NaN, Infinity or out of "
                    + "the range of a double); send finite numbers", path);
        }
        return new WireRecord(sid, src, seq, kind, ts, body);
    }

    /** Checks the form of a session id. */
    public static void checkSessionId(String sid, String path) {
        if (sid == null || !SESSION_ID.matcher(sid).matches()) {
            throw new InvalidInputException(path + " must be 1 to " + Limits.MAX_ID_CHARS
                    + " characters of letters, digits, '.', '_', ':' or '-'", path);
        }
    }

    private static void sessionStart(ObjectNode body, String path) {
        requiredNonBlank(body, "product", path, Limits.MAX_PRODUCT_CHARS);
        requiredNonBlank(body, "version", path, Limits.MAX_PRODUCT_CHARS);
        optionalText(body, "hostname", path, Limits.MAX_NAME_CHARS);
        optionalText(body, "machine_id", path, Limits.MAX_NAME_CHARS);
        optionalText(body, "client", path, Limits.MAX_NAME_CHARS);
        optionalText(body, "cwd", path, Limits.MAX_PATH_CHARS);
        optionalLong(body, "pid", path);
        optionalLong(body, "hang_timeout_ms", path);
        optionalObject(body, "attrs", path);
    }

    private static void event(ObjectNode body, String path, boolean exception) {
        if (exception && isAbsent(body.get("name"))) {
            body.put("name", "exception");
        }
        requiredNonBlank(body, "name", path, Limits.MAX_NAME_CHARS);
        JsonNode level = body.get("level");
        if (isAbsent(level)) {
            body.put("level", exception ? Level.ERROR.wire() : Level.INFO.wire());
        } else {
            Level l = level.isTextual() ? Level.fromWire(level.asText()) : null;
            if (l == null) {
                throw new InvalidInputException(path + ".level must be one of debug, info, warning, error, critical",
                        path + ".level");
            }
            body.put("level", l.wire());
        }
        optionalText(body, "category", path, Limits.MAX_NAME_CHARS);
        optionalText(body, "group", path, Limits.MAX_NAME_CHARS);
        optionalStringList(body, "labels", path, Limits.MAX_LIST_ITEMS, Limits.MAX_NAME_CHARS);
        optionalText(body, "message", path, Limits.MAX_MESSAGE_CHARS);
        optionalObject(body, "data", path);
        if (exception) {
            optionalText(body, "exception_type", path, Limits.MAX_SHORT_TEXT_CHARS);
            optionalText(body, "exception_msg", path, Limits.MAX_MESSAGE_CHARS);
            optionalStringList(body, "stacktrace", path, Limits.MAX_STACK_FRAMES, Limits.MAX_STACK_LINE_CHARS);
            optionalText(body, "source_file", path, Limits.MAX_PATH_CHARS);
            optionalLong(body, "source_line", path);
            optionalText(body, "source_function", path, Limits.MAX_SHORT_TEXT_CHARS);
        }
    }

    private static void metric(ObjectNode body, String path) {
        requiredNonBlank(body, "name", path, Limits.MAX_NAME_CHARS);
        JsonNode typeNode = body.get("type");
        MetricType type = MetricType.GAUGE;
        if (!isAbsent(typeNode)) {
            type = typeNode.isTextual() ? MetricType.fromWire(typeNode.asText()) : null;
            if (type == null) {
                throw new InvalidInputException(path + ".type must be one of gauge, counter, histogram, timer",
                        path + ".type");
            }
        }
        body.put("type", type.wire());
        requiredNumber(body, "value", path);
        optionalText(body, "unit", path, Limits.MAX_UNIT_CHARS);
        optionalStringList(body, "tags", path, Limits.MAX_LIST_ITEMS, Limits.MAX_NAME_CHARS);
        optionalObject(body, "metadata", path);
        JsonNode count = body.get("count");
        if (!isAbsent(count)) {
            long c = optionalLong(body, "count", path);
            if (c < 1) {
                throw new InvalidInputException(path + ".count must be 1 or more", path + ".count");
            }
        }
        if (type.isDistribution()) {
            optionalNumber(body, "sum", path);
            optionalNumber(body, "min", path);
            optionalNumber(body, "max", path);
            buckets(body, path);
        }
    }

    private static void buckets(ObjectNode body, String path) {
        JsonNode b = body.get("buckets");
        if (isAbsent(b)) {
            return;
        }
        String p = path + ".buckets";
        if (!b.isArray()) {
            throw new InvalidInputException(p + " must be an array of {\"le\", \"count\"}", p);
        }
        if (b.size() > Limits.MAX_BUCKETS) {
            throw new InvalidInputException(p + " holds at most " + Limits.MAX_BUCKETS + " buckets", p);
        }
        double previous = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < b.size(); i++) {
            String bp = p + "[" + i + "]";
            JsonNode bucket = b.get(i);
            if (!bucket.isObject()) {
                throw new InvalidInputException(bp + " must be an object {\"le\", \"count\"}", bp);
            }
            JsonNode le = bucket.get("le");
            double bound;
            if (le != null && le.isNumber() && Double.isFinite(le.asDouble())) {
                bound = le.asDouble();
            } else if (le != null && le.isTextual() && isInfinity(le.asText())) {
                bound = Double.POSITIVE_INFINITY;
                ((ObjectNode) bucket).put("le", "+Inf");
            } else {
                throw new InvalidInputException(bp + ".le must be a number or \"+Inf\"", bp + ".le");
            }
            if (bound <= previous) {
                throw new InvalidInputException(p + " bounds must be strictly ascending", bp + ".le");
            }
            previous = bound;
            JsonNode count = bucket.get("count");
            if (count == null || !count.isIntegralNumber() || !count.canConvertToLong() || count.asLong() < 0) {
                throw new InvalidInputException(bp + ".count must be a non-negative integer", bp + ".count");
            }
        }
    }

    /** Accepts the spellings of +Inf that existing clients send for an open top bucket. */
    public static boolean isInfinity(String s) {
        return switch (s) {
            case "+Inf", "Inf", "inf", "+inf", "Infinity", "+Infinity", "infinity" -> true;
            default -> false;
        };
    }

    private static void crash(ObjectNode body, String path) {
        requiredText(body, "reason", path, Limits.MAX_SHORT_TEXT_CHARS);
        optionalText(body, "message", path, Limits.MAX_MESSAGE_CHARS);
        optionalObject(body, "detail", path);
    }

    private static void hang(ObjectNode body, String path) {
        optionalText(body, "thread", path, Limits.MAX_NAME_CHARS);
        optionalStringList(body, "stack", path, Limits.MAX_STACK_FRAMES, Limits.MAX_STACK_LINE_CHARS);
        optionalLong(body, "timeout_ms", path);
        optionalLong(body, "silent_ms", path);
        JsonNode by = body.get("detected_by");
        if (!isAbsent(by) && !(by.isTextual() && (by.asText().equals("client") || by.asText().equals("daemon")))) {
            throw new InvalidInputException(path + ".detected_by must be \"client\" or \"daemon\"", path + ".detected_by");
        }
    }

    private static boolean isAbsent(JsonNode n) {
        return n == null || n.isNull();
    }

    private static String requiredText(ObjectNode body, String field, String path, int maxChars) {
        JsonNode n = body.get(field);
        if (isAbsent(n)) {
            throw new InvalidInputException(path + "." + field + " is required", path + "." + field);
        }
        return text(n, field, path, maxChars);
    }

    private static void requiredNonBlank(ObjectNode body, String field, String path, int maxChars) {
        if (requiredText(body, field, path, maxChars).isBlank()) {
            throw new InvalidInputException(path + "." + field + " must not be empty", path + "." + field);
        }
    }

    private static void optionalText(ObjectNode body, String field, String path, int maxChars) {
        JsonNode n = body.get(field);
        if (!isAbsent(n)) {
            text(n, field, path, maxChars);
        }
    }

    private static String text(JsonNode n, String field, String path, int maxChars) {
        if (!n.isTextual()) {
            throw new InvalidInputException(path + "." + field + " must be a string, got " + Json.describe(n),
                    path + "." + field);
        }
        String s = n.asText();
        if (s.length() > maxChars) {
            throw new InvalidInputException(path + "." + field + " is " + s.length() + " characters; the limit is "
                    + maxChars, path + "." + field);
        }
        return s;
    }

    private static long requiredLong(ObjectNode body, String field, String path) {
        JsonNode n = body.get(field);
        if (isAbsent(n)) {
            throw new InvalidInputException(path + "." + field + " is required", path + "." + field);
        }
        return integer(n, field, path);
    }

    private static long optionalLong(ObjectNode body, String field, String path) {
        JsonNode n = body.get(field);
        return isAbsent(n) ? 0 : integer(n, field, path);
    }

    private static long integer(JsonNode n, String field, String path) {
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new InvalidInputException(path + "." + field + " must be an integer, got " + Json.describe(n),
                    path + "." + field);
        }
        return n.asLong();
    }

    private static void requiredNumber(ObjectNode body, String field, String path) {
        JsonNode n = body.get(field);
        if (isAbsent(n)) {
            throw new InvalidInputException(path + "." + field + " is required", path + "." + field);
        }
        number(n, field, path);
    }

    private static void optionalNumber(ObjectNode body, String field, String path) {
        JsonNode n = body.get(field);
        if (!isAbsent(n)) {
            number(n, field, path);
        }
    }

    private static void number(JsonNode n, String field, String path) {
        if (!n.isNumber()) {
            throw new InvalidInputException(path + "." + field + " must be a number, got " + Json.describe(n),
                    path + "." + field);
        }
        if (!Double.isFinite(n.asDouble())) {
            throw new InvalidInputException(path + "." + field + " must be a finite number: it is beyond the range "
                    + "of a double (about ±1.8e308)", path + "." + field);
        }
    }

    private static void requiredObject(ObjectNode body, String field, String path) {
        JsonNode n = body.get(field);
        if (n == null || !n.isObject()) {
            throw new InvalidInputException(path + "." + field + " must be an object, got " + Json.describe(n),
                    path + "." + field);
        }
    }

    private static void optionalObject(ObjectNode body, String field, String path) {
        JsonNode n = body.get(field);
        if (!isAbsent(n) && !n.isObject()) {
            throw new InvalidInputException(path + "." + field + " must be an object, got " + Json.describe(n),
                    path + "." + field);
        }
    }

    private static void optionalStringList(ObjectNode body, String field, String path, int maxItems, int maxChars) {
        JsonNode n = body.get(field);
        if (isAbsent(n)) {
            return;
        }
        String p = path + "." + field;
        if (!n.isArray()) {
            throw new InvalidInputException(p + " must be an array of strings, got " + Json.describe(n), p);
        }
        if (n.size() > maxItems) {
            throw new InvalidInputException(p + " holds at most " + maxItems + " items, got " + n.size(), p);
        }
        ArrayNode arr = (ArrayNode) n;
        for (int i = 0; i < arr.size(); i++) {
            JsonNode item = arr.get(i);
            if (!(item instanceof TextNode)) {
                throw new InvalidInputException(p + "[" + i + "] must be a string, got " + Json.describe(item),
                        p + "[" + i + "]");
            }
            if (item.asText().length() > maxChars) {
                throw new InvalidInputException(p + "[" + i + "] is longer than " + maxChars + " characters",
                        p + "[" + i + "]");
            }
        }
    }

    /** Numbers anywhere in the record must be finite (1e999 parses as Infinity). */
    private static boolean allFinite(JsonNode node) {
        if (node.isFloatingPointNumber()) {
            return Double.isFinite(node.asDouble());
        }
        if (node.isContainerNode()) {
            for (JsonNode child : node) {
                if (!allFinite(child)) {
                    return false;
                }
            }
        }
        return true;
    }
}
