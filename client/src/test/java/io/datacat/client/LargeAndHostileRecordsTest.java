package io.datacat.client;

import io.datacat.protocol.Limits;
import io.datacat.protocol.RecordKind;
import io.datacat.protocol.WireRecord;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.nio.file.Paths;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * Records that are each within every field limit but large, and objects whose methods throw
 * on the sender thread: the session must go on delivering the rest, and count what it drops.
 */
class LargeAndHostileRecordsTest {
    @AutoClose
    private final FakeDaemon daemon = new FakeDaemon();

    private Session session() {
        return Datacat.createSession(SessionOptions.builder("LargeRecords", "1.0").daemonPort(daemon.port())
                .asyncMode(true).crashReporting(false).build());
    }

    private List<String> eventNames() {
        return daemon.ofKind(RecordKind.EVENT).stream().map(WireRecord::name).collect(Collectors.toList());
    }

    private static String text(int chars) {
        char[] c = new char[chars];
        Arrays.fill(c, 'x');
        return new String(c);
    }

    @Test
    void manyLargeRecordsAreSpreadOverBatchesTheDaemonTakes() {
        Session s = session();
        Map<String, Object> dump = new HashMap<>();
        for (int k = 0; k < 5; k++) {
            dump.put("part" + k, text(65_000));
        }
        for (int i = 0; i < 100; i++) { // about 32 MB in all, 325 KB each
            s.logEvent("crash_dump", dump);
        }
        for (int i = 0; i < 20; i++) {
            s.logEvent("small_after");
        }
        assertThat(s.shutdown(Duration.ofSeconds(30))).isTrue();
        assertThat(s.stats().dropped()).isZero();
        assertThat(eventNames()).hasSize(120).endsWith("small_after");
        assertThat(daemon.largestBody.get()).isLessThan(Limits.DEFAULT_MAX_BODY_BYTES / 2);
    }

    @Test
    void aRecordOverTheRecordLimitIsDroppedAndCountedAndTheRestArrive() {
        Session s = session();
        Map<String, Object> huge = new HashMap<>();
        for (int k = 0; k < 400; k++) { // 24 MB of JSON in one event
            huge.put("part" + k, text(60_000));
        }
        s.logEvent("before");
        s.logEvent("huge", huge);
        s.logEvent("after");
        assertThat(s.shutdown(Duration.ofSeconds(30))).isTrue();
        assertThat(eventNames()).containsExactly("before", "after");
        assertThat(s.stats().dropped()).isOne();
        // The drop reaches the daemon (and so the server) with the session's counts.
        assertThat(daemon.counters).anySatisfy(c -> assertThat(c.clientDropped()).isOne());
    }

    @Test
    void aVeryLongKeyIsCutNotTheBatch() {
        Session s = session();
        Map<String, Object> data = new HashMap<>();
        data.put(text(5_000_000), 1);
        s.logEvent("before");
        s.logEvent("long key", data);
        s.logEvent("after");
        assertThat(s.shutdown(Duration.ofSeconds(30))).as("%s", s.stats()).isTrue();
        assertThat(eventNames()).containsExactly("before", "long key", "after");
        String key = daemon.ofKind(RecordKind.EVENT).get(1).body().get("data").fieldNames().next();
        assertThat(key).hasSize(4_096);
        assertThat(s.stats().truncated()).isOne();
    }

    static final class MessageThrows extends RuntimeException {
        @Override
        public String getMessage() {
            throw new AssertionError("no message for you");
        }
    }

    @Test
    void anExceptionWhoseMessageThrowsAnErrorIsStillSentAndTheSenderGoesOn() {
        Session s = session();
        s.logEvent("before");
        s.logException(new MessageThrows());
        s.logException(new IllegalStateException("anonymous") { });
        s.logEvent("after");
        assertThat(s.shutdown(Duration.ofSeconds(10))).isTrue();
        assertThat(s.stats().dropped()).isZero();
        assertThat(eventNames()).containsExactly("before", "after");
        List<WireRecord> exceptions = daemon.ofKind(RecordKind.EXCEPTION);
        assertThat(exceptions).hasSize(2);
        assertThat(exceptions.get(0).body().get("exception_msg").asText()).contains("getMessage() threw");
        // An anonymous class is labelled by its binary name, not by an empty simple name.
        assertThat(exceptions.get(1).body().get("labels").get(1).asText()).isEqualTo("LargeAndHostileRecordsTest$1");
    }

    @Test
    void anEventBuilderTakesAnyDataWithoutThrowing() {
        Map<String, Object> cyclic = new HashMap<>();
        cyclic.put("self", cyclic);
        Object badText = new Object() {
            @Override
            public String toString() {
                throw new IllegalStateException("no text");
            }
        };
        Event[] built = new Event[1];
        assertThatCode(() -> built[0] = Event.builder("odd").data("file", Paths.get("saves/slot1.dat"))
                .data("cycle", cyclic).data("bad", badText).labels((String[]) null).build())
                .doesNotThrowAnyException();
        Event e = built[0];
        assertThat(e.data().get("file")).isEqualTo(Paths.get("saves/slot1.dat").toString());
        assertThat(e.data().get("bad")).isEqualTo("(toString() threw java.lang.IllegalStateException)");
        assertThat(e.labels()).isEmpty();

        Session s = session();
        s.logEvent(e);
        assertThat(s.shutdown(Duration.ofSeconds(10))).isTrue();
        assertThat(eventNames()).containsExactly("odd");
        assertThat(daemon.ofKind(RecordKind.EVENT).get(0).body().at("/data/file").asText())
                .isEqualTo(Paths.get("saves/slot1.dat").toString());
    }

    @Test
    void numbersBeyondADoubleAreSentAsTheirExactText() {
        Session s = session();
        Map<String, Object> data = new HashMap<>();
        data.put("huge", new java.math.BigDecimal("1e400"));
        data.put("big", new java.math.BigInteger("123456789012345678901234567890"));
        data.put("fine", new java.math.BigDecimal("2.5"));
        s.logEvent("numbers", data);
        assertThat(s.shutdown(Duration.ofSeconds(10))).isTrue();
        WireRecord r = daemon.ofKind(RecordKind.EVENT).get(0);
        assertThat(r.body().at("/data/huge").asText()).isEqualTo("1E+400");
        assertThat(r.body().at("/data/big").asText()).isEqualTo("123456789012345678901234567890");
        assertThat(r.body().at("/data/fine").asDouble()).isEqualTo(2.5);
    }
}
