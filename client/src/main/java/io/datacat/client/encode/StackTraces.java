package io.datacat.client.encode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Turns a throwable and its whole chain (causes and suppressed exceptions) into the lines
 * {@code printStackTrace} would print, one string per line, within DataCat's limits.
 */
public final class StackTraces {
    /** The protocol's limit on stack lines per record. */
    public static final int MAX_LINES = 2_048;

    private StackTraces() {
    }

    public static List<String> lines(Throwable t) {
        List<String> out = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<Throwable, Boolean>());
        append(out, t, new StackTraceElement[0], "", "", seen);
        if (out.size() > MAX_LINES) {
            int omitted = out.size() - (MAX_LINES - 1);
            List<String> cut = new ArrayList<>(out.subList(0, MAX_LINES - 1));
            cut.add("... " + omitted + " more lines omitted");
            return cut;
        }
        return out;
    }

    /** The lines of one thread's stack (for hang reports). */
    public static List<String> lines(StackTraceElement[] frames) {
        List<String> out = new ArrayList<>(Math.min(frames.length, MAX_LINES));
        for (StackTraceElement f : frames) {
            if (out.size() == MAX_LINES - 1) {
                out.add("... " + (frames.length - out.size()) + " more frames omitted");
                break;
            }
            out.add("\tat " + f);
        }
        return out;
    }

    /** What {@code Throwable.toString()} gives, even when the exception's message method throws. */
    public static String describe(Throwable t) {
        String msg = message(t);
        return msg == null ? t.getClass().getName() : t.getClass().getName() + ": " + msg;
    }

    /** The exception's (localized) message; a message method that throws must not lose the record. */
    public static String message(Throwable t) {
        try {
            return t.getLocalizedMessage();
        } catch (Throwable e) {
            return "(getMessage() threw " + e.getClass().getName() + ")";
        }
    }

    private static void append(List<String> out, Throwable t, StackTraceElement[] enclosing, String caption,
                               String prefix, Set<Throwable> seen) {
        if (!seen.add(t)) {
            out.add(prefix + caption + "[CIRCULAR REFERENCE: " + describe(t) + "]");
            return;
        }
        if (out.size() > MAX_LINES) {
            return;
        }
        StackTraceElement[] trace = t.getStackTrace();
        int m = trace.length - 1;
        int n = enclosing.length - 1;
        while (m >= 0 && n >= 0 && trace[m].equals(enclosing[n])) {
            m--;
            n--;
        }
        int inCommon = trace.length - 1 - m;
        out.add(prefix + caption + describe(t));
        for (int i = 0; i <= m && out.size() <= MAX_LINES; i++) {
            out.add(prefix + "\tat " + trace[i]);
        }
        if (inCommon != 0) {
            out.add(prefix + "\t... " + inCommon + " more");
        }
        for (Throwable s : t.getSuppressed()) {
            append(out, s, trace, "Suppressed: ", prefix + "\t", seen);
        }
        Throwable cause = t.getCause();
        if (cause != null) {
            append(out, cause, trace, "Caused by: ", prefix, seen);
        }
    }
}
