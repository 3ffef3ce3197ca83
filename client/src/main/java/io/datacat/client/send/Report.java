package io.datacat.client.send;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/** A crash, hang or recovered report: rare, built off the hot path, immutable. */
public final class Report {
    public enum Type { CRASH, HANG, RECOVERED }

    private final Type type;
    private final String reason;
    private final String message;
    private final Map<String, Object> detail;
    private final String thread;
    private final List<String> stack;
    private final long timeoutMs;
    private final long silentMs;
    private final long durationMs;

    private Report(Type type, String reason, String message, Map<String, Object> detail, String thread,
                   List<String> stack, long timeoutMs, long silentMs, long durationMs) {
        this.type = type;
        this.reason = reason;
        this.message = message;
        this.detail = detail == null ? Collections.<String, Object>emptyMap() : Collections.unmodifiableMap(detail);
        this.thread = thread;
        this.stack = stack == null ? Collections.<String>emptyList() : Collections.unmodifiableList(stack);
        this.timeoutMs = timeoutMs;
        this.silentMs = silentMs;
        this.durationMs = durationMs;
    }

    public static Report crash(String reason, String message, Map<String, Object> detail) {
        return new Report(Type.CRASH, reason, message, detail, null, null, 0, 0, 0);
    }

    public static Report hang(String thread, List<String> stack, long timeoutMs, long silentMs) {
        return new Report(Type.HANG, null, null, null, thread, stack, timeoutMs, silentMs, 0);
    }

    public static Report recovered(long durationMs) {
        return new Report(Type.RECOVERED, null, null, null, null, null, 0, 0, durationMs);
    }

    public Type type() {
        return type;
    }

    public String reason() {
        return reason;
    }

    public String message() {
        return message;
    }

    public Map<String, Object> detail() {
        return detail;
    }

    public String thread() {
        return thread;
    }

    public List<String> stack() {
        return stack;
    }

    public long timeoutMs() {
        return timeoutMs;
    }

    public long silentMs() {
        return silentMs;
    }

    public long durationMs() {
        return durationMs;
    }
}
