package io.datacat.daemon;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.daemon.spool.FsyncPolicy;
import io.datacat.daemon.spool.LegacyFrames;
import io.datacat.daemon.spool.Spool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static io.datacat.daemon.TestSupport.batch;
import static io.datacat.daemon.TestSupport.event;
import static io.datacat.daemon.TestSupport.get;
import static io.datacat.daemon.TestSupport.newSid;
import static io.datacat.daemon.TestSupport.post;
import static io.datacat.daemon.TestSupport.record;
import static io.datacat.daemon.TestSupport.seqs;
import static io.datacat.daemon.TestSupport.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What the spool keeps through restarts, dead daemons and its own bounds. */
class SpoolRecoveryTest {
    @TempDir
    Path tmp;
    private RecordingServer server;
    private final List<Daemon> daemons = new ArrayList<>();

    @AfterEach
    void stop() {
        daemons.forEach(Daemon::close);
        if (server != null) {
            server.close();
        }
    }

    private Daemon daemon(DaemonConfig.Builder config) throws IOException {
        Daemon d = Daemon.start(config.build());
        daemons.add(d);
        return d;
    }

    private static List<Path> daemonDirs(Path root) throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> p.getFileName().toString().startsWith("d-")).toList();
        }
    }

    private static long health(Daemon d, String group, String field) {
        return get(d.port(), "/health").body().path(group).path(field).asLong();
    }

    @Test
    void whatWasAckedBeforeARestartIsDeliveredAfterIt() throws IOException {
        Daemon first = daemon(TestSupport.config(tmp, RecordingServer.unreachableUrl()));
        String sid = newSid();
        assertThat(post(first.port(), "/v1/batch", batch(List.of(start(sid, 0), event(sid, 2, "a"),
                event(sid, 3, "b")))).status()).isEqualTo(200);
        Path firstDir = first.spoolDirectory();
        first.close();
        assertThat(firstDir).as("an undelivered spool stays on disk").isDirectory();

        server = RecordingServer.start();
        daemon(TestSupport.config(tmp, server.url()));

        await().atMost(Duration.ofSeconds(5)).until(() -> server.records(sid).size() == 3);
        assertThat(seqs(server.records(sid))).containsExactly(1L, 2L, 3L);
        await().atMost(Duration.ofSeconds(5)).until(() -> !Files.exists(firstDir));
    }

    @Test
    void aDeadDaemonsSpoolIsRepairedAndDeliveredBeforeTheNewDaemonsData() throws IOException {
        Path root = tmp.resolve("spool");
        String sid = newSid();
        // A daemon that died: its directory, its frames, a torn last write, and a LOCK nobody holds.
        Spool dead = Spool.open(new Spool.Options(root, 1024 * 1024, Duration.ofDays(1), FsyncPolicy.ALWAYS));
        dead.append(List.of(start(sid, 0), event(sid, 2, "old")));
        dead.append(List.of(event(sid, 3, "old")));
        Path deadDir = dead.ownDir();
        dead.close();
        Path segment;
        try (Stream<Path> s = Files.list(deadDir)) {
            segment = s.filter(p -> p.toString().endsWith(".seg")).findFirst().orElseThrow();
        }
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap(new byte[] {0x44, 0x43, 0x53, 0x31, 0, 0, 1, 0, 7}));
        }

        server = RecordingServer.start();
        Daemon d = daemon(TestSupport.config(tmp, server.url()));
        post(d.port(), "/v1/batch", batch(List.of(event(sid, 4, "new"), event(sid, 5, "new"))));

        await().atMost(Duration.ofSeconds(5)).until(() -> server.records(sid).size() == 5);
        assertThat(seqs(server.records(sid))).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(server.batches().get(0).get("records").get(0).get("seq").asLong())
                .as("the adopted spool went first").isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> !Files.exists(deadDir));
        assertThat(daemonDirs(root)).containsExactly(d.spoolDirectory());
    }

    @Test
    void aSpoolLeftByADaemonOfTheFirstFrameFormatIsAdoptedAndDelivered() throws IOException {
        Path dead = Files.createDirectories(tmp.resolve("spool").resolve("d-1700000000000-4242-abcdef"));
        Files.createFile(dead.resolve("LOCK"));
        String sid = newSid();
        try (FileChannel ch = FileChannel.open(dead.resolve("0000000001-1700000000000.seg"),
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(LegacyFrames.version1("{\"records\":[" + start(sid, 0) + "," + event(sid, 2, "old")
                    + "],\"sessions\":{\"" + sid + "\":{\"client_dropped\":5,\"spool_evicted\":0,\"last_heartbeat\":0}}}"));
        }

        server = RecordingServer.start();
        Daemon d = daemon(TestSupport.config(tmp, server.url()));
        post(d.port(), "/v1/batch", batch(List.of(event(sid, 3, "new"))));

        await().atMost(Duration.ofSeconds(5)).until(() -> server.records(sid).size() == 3);
        assertThat(seqs(server.records(sid))).containsExactly(1L, 2L, 3L);
        assertThat(server.maxCounter(sid, "client_dropped")).isEqualTo(5);
        await().atMost(Duration.ofSeconds(5)).until(() -> !Files.exists(dead));
    }

    @Test
    void aLiveDaemonsSpoolIsLeftAlone() throws IOException {
        Daemon other = daemon(TestSupport.config(tmp, RecordingServer.unreachableUrl()));
        String sid = newSid();
        post(other.port(), "/v1/batch", batch(List.of(start(sid, 0))));
        server = RecordingServer.start();
        Daemon d = daemon(TestSupport.config(tmp, server.url()));
        String mine = newSid();

        post(d.port(), "/v1/batch", batch(List.of(start(mine, 0))));

        await().atMost(Duration.ofSeconds(5)).until(() -> server.records(mine).size() == 1);
        assertThat(server.records(sid)).isEmpty();
        assertThat(other.spoolDirectory()).isDirectory();
    }

    @Test
    void overItsByteBoundTheSpoolEvictsAllButFateRecordsAndCountsEveryEviction() throws IOException {
        server = RecordingServer.start();
        server.onIngest(b -> new RecordingServer.Answer(503, "down for maintenance"));
        long cap = 256 * 1024;
        Daemon d = daemon(TestSupport.config(tmp, server.url()).spoolMaxBytes(cap));
        String a = newSid();
        String b = newSid();
        post(d.port(), "/v1/batch", batch(List.of(start(a, 0), start(b, 0))));
        int eventsA = 0;
        int eventsB = 0;
        long seqA = 1;
        long seqB = 1;
        long peak = 0;
        for (int i = 0; i < 600; i++) {
            List<ObjectNode> records = new ArrayList<>();
            ObjectNode ea = event(a, ++seqA, "tick");
            ea.put("message", "a".repeat(500));
            ObjectNode eb = event(b, ++seqB, "tick");
            eb.put("message", "b".repeat(500));
            records.add(ea);
            records.add(eb);
            eventsA++;
            eventsB++;
            if (i == 300) {
                ObjectNode hang = record(a, ++seqA, "hang");
                hang.put("detected_by", "client");
                hang.put("thread", "main");
                records.add(hang);
                records.add(record(a, ++seqA, "recovered").put("duration_ms", 1500));
            }
            assertThat(post(d.port(), "/v1/batch", batch(records)).status()).isEqualTo(200);
            peak = Math.max(peak, health(d, "spool", "bytes"));
        }
        ObjectNode crash = record(b, ++seqB, "crash");
        crash.put("reason", "uncaught_exception");
        post(d.port(), "/v1/batch", batch(List.of(record(a, ++seqA, "end"), crash)));
        long evicted = health(d, "spool", "evicted_records");

        assertThat(evicted).isPositive();
        // The overshoot: the segment the forwarder holds and the one being written (64 KiB each here).
        assertThat(peak).isLessThanOrEqualTo(cap + 2 * 64 * 1024 + 8 * 1024);

        server.onIngest(x -> RecordingServer.Answer.OK);

        await().atMost(Duration.ofSeconds(15)).until(() -> health(d, "spool", "pending_records") == 0
                && server.records(a, "end").size() == 1 && server.records(b, "crash").size() == 1);
        long deliveredA = server.records(a, "event").size();
        long deliveredB = server.records(b, "event").size();
        assertThat(deliveredA + server.maxCounter(a, "spool_evicted")).isEqualTo(eventsA);
        assertThat(deliveredB + server.maxCounter(b, "spool_evicted")).isEqualTo(eventsB);
        assertThat(server.maxCounter(a, "spool_evicted") + server.maxCounter(b, "spool_evicted")).isEqualTo(evicted);
        List<String> fateOfA = server.records(a).stream().map(r -> r.get("kind").asText())
                .filter(k -> !k.equals("event")).toList();
        assertThat(fateOfA).containsExactly("session_start", "hang", "recovered", "end");
        assertThat(server.records(b, "session_start")).hasSize(1);
        assertThat(seqs(server.records(a))).isSorted();
        assertThat(seqs(server.records(b))).isSorted();
        assertThat(Files.readString(d.spoolDirectory().resolve("evicted.json"))).contains(a).contains(b);
    }

    @Test
    void dataOlderThanTheAgeBoundIsEvicted() throws IOException {
        server = RecordingServer.start();
        server.onIngest(b -> new RecordingServer.Answer(503, "down"));
        Daemon d = daemon(TestSupport.config(tmp, server.url()).spoolMaxAge(Duration.ofMillis(300)));
        String sid = newSid();
        post(d.port(), "/v1/batch", batch(List.of(start(sid, 0))));
        long[] seq = {1};

        // Keep writing until the age rule has sealed a segment and evicted from it.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
            post(d.port(), "/v1/batch", batch(List.of(event(sid, ++seq[0], "tick"))));
            return health(d, "spool", "evicted_records") > 0;
        });
        server.onIngest(x -> RecordingServer.Answer.OK);

        await().atMost(Duration.ofSeconds(10)).until(() -> health(d, "spool", "pending_records") == 0
                && server.maxCounter(sid, "spool_evicted") == health(d, "spool", "evicted_records"));
        assertThat(server.records(sid, "event").size() + server.maxCounter(sid, "spool_evicted")).isEqualTo(seq[0] - 1);
        assertThat(server.records(sid, "session_start")).hasSize(1);
    }

    @Test
    void aSpoolThatCannotBeWrittenAnswers503SoTheClientKeepsItsBatch() throws IOException {
        Daemon d = daemon(TestSupport.config(tmp, RecordingServer.unreachableUrl()).spoolMaxBytes(1024 * 1024));
        String sid = newSid();
        ObjectNode big = event(sid, 2, "big");
        big.putObject("data").put("blob", "x".repeat(70_000));
        assertThat(post(d.port(), "/v1/batch", batch(List.of(start(sid, 0), big))).status()).isEqualTo(200);
        // The disk goes away under the daemon: the next segment (the first is full) cannot be created.
        try (Stream<Path> s = Files.walk(d.spoolDirectory())) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }

        TestSupport.Reply reply = post(d.port(), "/v1/batch", batch(List.of(event(sid, 3, "lost?"))));

        assertThat(reply.status()).isEqualTo(503);
        assertThat(reply.error()).contains("retry");
    }
}
