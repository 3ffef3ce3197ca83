package io.datacat.client.encode;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StackTracesTest {

    private static Throwable chain() {
        try {
            try {
                throw new IllegalArgumentException("inner");
            } catch (IllegalArgumentException e) {
                IllegalStateException outer = new IllegalStateException("outer", e);
                outer.addSuppressed(new RuntimeException("suppressed"));
                throw outer;
            }
        } catch (IllegalStateException e) {
            return e;
        }
    }

    @Test
    void linesAreWhatPrintStackTracePrints() {
        Throwable t = chain();
        StringWriter sw = new StringWriter();
        t.printStackTrace(new PrintWriter(sw));
        List<String> expected = Arrays.asList(sw.toString().split("\\R"));
        assertThat(StackTraces.lines(t)).isEqualTo(expected);
        assertThat(StackTraces.lines(t)).anyMatch(l -> l.startsWith("Caused by: java.lang.IllegalArgumentException: inner"));
    }

    @Test
    void cyclesAndHugeChainsStayBounded() {
        RuntimeException a = new RuntimeException("a");
        RuntimeException b = new RuntimeException("b", a);
        a.initCause(b);
        assertThat(StackTraces.lines(a)).anyMatch(l -> l.contains("CIRCULAR REFERENCE"));
        Throwable deep = new RuntimeException("root");
        for (int i = 0; i < 5_000; i++) {
            deep = new RuntimeException("level " + i, deep);
        }
        List<String> lines = StackTraces.lines(deep);
        assertThat(lines).hasSizeLessThanOrEqualTo(StackTraces.MAX_LINES);
        assertThat(lines.get(lines.size() - 1)).contains("more lines omitted");
    }
}
