package io.datacat.daemon.spool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.Json;
import io.datacat.protocol.SessionCounters;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpoolLogTest {
    private static final long SEGMENT = 64 * 1024;

    @TempDir
    Path dir;

    private static ObjectNode record(String sid, long seq, String kind) {
        ObjectNode r = Json.mapper().createObjectNode();
        r.put("sid", sid).put("src", "app").put("seq", seq).put("kind", kind).put("ts", 1_700_000_000_000_000L);
        if (kind.equals("event")) {
            r.put("name", "e").put("message", "x".repeat(900));
        }
        return r;
    }

    private static List<FramePayload.Encoded> frame(ObjectNode... records) {
        return FramePayload.encode(List.of(records));
    }

    /** Every record still in the log, read from its cursor. */
    private static List<JsonNode> readAll(SpoolLog log) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        SpoolPosition pos = log.cursor();
        Frame f;
        while ((f = log.read(pos)) != null) {
            Json.parseObject(FramePayload.toBatch(f.contents())).get("records").forEach(out::add);
            pos = f.next();
        }
        return out;
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
        }
    }

    /**
     * A disk that fills within one segment: once the server has acked all of it, the spool
     * frees it and takes frames again. A real filesystem of 1 MiB (tmpfs) where this machine
     * may mount one.
     */
    @Test
    void aDiskFilledWithDeliveredFramesIsFreedForNewOnes() throws Exception {
        Path disk = Files.createDirectories(dir.resolve("small-disk"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", disk.toString())
                .redirectErrorStream(true).start();
        Assumptions.assumeTrue(mount.waitFor() == 0, "cannot mount a tmpfs here");
        SpoolLog log = null;
        try {
            log = SpoolLog.create(disk, FsyncPolicy.INTERVAL, 4L << 20);
            long seq = 0;
            SpoolPosition end = null;
            IOException full = null;
            while (full == null) {
                try {
                    end = log.append(frame(record("s", ++seq, "event")));
                } catch (IOException e) {
                    full = e;
                }
            }
            assertThat(seq).as("frames of about 1 KB before 1 MiB is full").isBetween(500L, 1100L);
            log.ack(end, seq - 1);

            SpoolPosition after = log.append(frame(record("s", seq, "event")));
            assertThat(log.read(log.cursor()).next()).isEqualTo(after);
            assertThat(log.pendingRecords()).isOne();
        } finally {
            if (log != null) {
                log.close();
            }
            new ProcessBuilder("umount", disk.toString()).start().waitFor();
        }
    }

    @Test
    void framesComeBackInOrderAcrossSegmentsAndAckedSegmentsAreDeleted() throws IOException {
        SpoolLog log = SpoolLog.create(dir, FsyncPolicy.INTERVAL, SEGMENT);
        for (int i = 1; i <= 200; i++) {
            log.append(frame(record("s", i, "event")));
        }

        assertThat(segments()).hasSizeGreaterThan(2);
        assertThat(readAll(log)).extracting(r -> r.get("seq").asLong())
                .containsExactlyElementsOf(Stream.iterate(1L, i -> i + 1).limit(200).toList());
        assertThat(log.pendingRecords()).isEqualTo(200);

        SpoolPosition end = log.cursor();
        Frame f;
        while ((f = log.read(end)) != null) {
            end = f.next();
        }
        log.ack(end, 200);
        assertThat(log.drained()).isTrue();
        assertThat(log.pendingRecords()).isZero();
        assertThat(segments()).as("only the segment being written is left").hasSize(1);
    }

    @Test
    void aBigBatchIsSplitIntoFramesOfAtMost5000RecordsWithItsCountersInTheFirst() throws IOException {
        List<ObjectNode> records = new ArrayList<>();
        for (int i = 1; i <= 12_000; i++) {
            records.add(record("s", i, "metric"));
        }
        FramePayload.Builder builder = new FramePayload.Builder();
        for (ObjectNode r : records) {
            byte[] bytes = r.toString().getBytes(StandardCharsets.UTF_8);
            builder.add(bytes, 0, bytes.length, "s");
        }

        List<FramePayload.Encoded> frames = builder.finish(Map.of("s", new SessionCounters(3, 0, 0)));

        assertThat(frames).extracting(FramePayload.Encoded::records).containsExactly(5000, 5000, 2000);
        assertThat(FramePayload.decode(2, frames.get(0).bytes()).counters())
                .containsExactly(Map.entry("s", new SessionCounters(3, 0, 0)));
        assertThat(FramePayload.decode(2, frames.get(1).bytes()).counters()).isEmpty();
        FramePayload.Contents last = FramePayload.decode(2, frames.get(2).bytes());
        assertThat(last.records()).isEqualTo(2000);
        assertThat(last.sids()).containsExactly("s");
        assertThat(Json.parseObject(FramePayload.toBatch(last)).get("records").get(0).get("seq").asLong())
                .isEqualTo(10_001);
    }

    @Test
    void aFrameHeaderHoldsAsManySessionsAsABatchCanName() throws IOException {
        Map<String, SessionCounters> counters = new LinkedHashMap<>();
        for (int i = 0; i < 70_000; i++) {
            counters.put("s" + i, new SessionCounters(i, 0, 0));
        }
        byte[] record = record("s0", 1, "event").toString().getBytes(StandardCharsets.UTF_8);
        FramePayload.Builder builder = new FramePayload.Builder();
        builder.add(record, 0, record.length, "s0");

        FramePayload.Contents c = FramePayload.decode(2, builder.finish(counters).get(0).bytes());

        assertThat(c.records()).isEqualTo(1);
        assertThat(c.counters()).hasSize(70_000).containsEntry("s69999", new SessionCounters(69_999, 0, 0));
    }

    @Test
    void concurrentAppendsWithFsyncAlwaysAreAllKeptInEachWritersOrder() throws Exception {
        SpoolLog log = SpoolLog.create(dir, FsyncPolicy.ALWAYS, SEGMENT);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> writers = new ArrayList<>();
        for (int w = 0; w < 8; w++) {
            String sid = "writer-" + w;
            writers.add(pool.submit(() -> {
                for (int i = 1; i <= 50; i++) {
                    log.append(frame(record(sid, i, "event")));
                }
                return null;
            }));
        }
        for (Future<?> w : writers) {
            w.get();
        }
        pool.shutdown();

        Map<String, List<Long>> bySession = new TreeMap<>();
        readAll(log).forEach(r -> bySession.computeIfAbsent(r.get("sid").asText(), k -> new ArrayList<>())
                .add(r.get("seq").asLong()));
        assertThat(bySession).hasSize(8);
        bySession.values().forEach(seqs -> assertThat(seqs)
                .containsExactlyElementsOf(Stream.iterate(1L, i -> i + 1).limit(50).toList()));
    }

    @Test
    void aTornTailIsTruncatedOnOpen() throws IOException {
        SpoolLog log = SpoolLog.create(dir, FsyncPolicy.ALWAYS, SEGMENT);
        for (int i = 1; i <= 3; i++) {
            log.append(frame(record("s", i, "event")));
        }
        log.close();
        Path segment = segments().get(0);
        long whole = Files.size(segment);
        ByteBuffer torn = FrameCodec.encode(FramePayload.encode(List.of(record("s", 4, "event"))).get(0).bytes());
        torn.limit(torn.limit() / 2);
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.APPEND)) {
            ch.write(torn);
        }

        SpoolLog reopened = SpoolLog.open(dir, FsyncPolicy.ALWAYS, SEGMENT);

        assertThat(Files.size(segment)).isEqualTo(whole);
        assertThat(reopened.pendingRecords()).isEqualTo(3);
        assertThat(readAll(reopened)).extracting(r -> r.get("seq").asLong()).containsExactly(1L, 2L, 3L);
    }

    @Test
    void aFrameWithABadChecksumEndsTheSegmentOnOpen() throws IOException {
        SpoolLog log = SpoolLog.create(dir, FsyncPolicy.ALWAYS, SEGMENT);
        for (int i = 1; i <= 3; i++) {
            log.append(frame(record("s", i, "event")));
        }
        log.close();
        Path segment = segments().get(0);
        long size = Files.size(segment);
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {'#'}), size - 10);
        }

        SpoolLog reopened = SpoolLog.open(dir, FsyncPolicy.ALWAYS, SEGMENT);

        assertThat(readAll(reopened)).extracting(r -> r.get("seq").asLong()).containsExactly(1L, 2L);
        assertThat(Files.size(segment)).isEqualTo(size / 3 * 2);
    }

    @Test
    void theAckedPositionSurvivesAReopen() throws IOException {
        SpoolLog log = SpoolLog.create(dir, FsyncPolicy.NEVER, SEGMENT);
        for (int i = 1; i <= 3; i++) {
            log.append(frame(record("s", i, "event")));
        }
        Frame first = log.read(log.cursor());
        Frame second = log.read(first.next());
        log.ack(second.next(), 2);
        log.close();

        SpoolLog reopened = SpoolLog.open(dir, FsyncPolicy.NEVER, SEGMENT);

        assertThat(reopened.pendingRecords()).isEqualTo(1);
        assertThat(readAll(reopened)).extracting(r -> r.get("seq").asLong()).containsExactly(3L);
    }

    @Test
    void evictionKeepsOnlyTheFateRecordsInOrderAndCountsTheRest() throws IOException {
        SpoolLog log = SpoolLog.create(dir, FsyncPolicy.NEVER, SEGMENT);
        log.append(frame(record("a", 1, "session_start"), record("a", 2, "event"), record("a", 3, "event")));
        log.append(frame(record("b", 1, "session_start"), record("b", 2, "event")));
        log.append(frame(record("a", 4, "event"), record("a", 5, "hang"), record("a", 6, "recovered")));
        log.append(frame(record("b", 3, "event")));
        for (int i = 7; i < 80; i++) {
            log.append(frame(record("a", i, "event")));
        }
        long pending = log.pendingRecords();
        List<Map<String, Long>> committed = new ArrayList<>();

        SpoolLog.Compaction c = log.compactOldest(Long.MAX_VALUE, committed::add);

        assertThat(c.segment()).startsWith("0000000001-");
        assertThat(committed).hasSize(1);
        List<JsonNode> kept = readAll(log);
        List<String> firstSegment = kept.stream().filter(r -> !r.get("kind").asText().equals("event"))
                .map(r -> r.get("sid").asText() + r.get("seq").asLong() + r.get("kind").asText()).toList();
        assertThat(firstSegment).containsExactly("a1session_start", "b1session_start", "a5hang", "a6recovered");
        long removed = c.removedRecords();
        assertThat(committed.get(0)).isEqualTo(c.removed());
        assertThat(c.removed().get("b")).isEqualTo(2);
        assertThat(c.bytesAfter()).isLessThan(c.bytesBefore());
        assertThat(log.pendingRecords()).isEqualTo(pending - removed);
        assertThat(kept).hasSize((int) (pending - removed));
    }

    @Test
    void evictionNeverTouchesWhatTheForwarderHasRead() throws IOException {
        SpoolLog log = SpoolLog.create(dir, FsyncPolicy.NEVER, SEGMENT);
        for (int i = 1; i < 200; i++) {
            log.append(frame(record("a", i, "event")));
        }
        Frame inFlight = log.read(log.cursor());

        SpoolLog.Compaction c = log.compactOldest(Long.MAX_VALUE, m -> { });

        assertThat(c.segment()).as("segment 1 is being forwarded").startsWith("0000000002-");
        assertThat(FramePayload.toBatch(log.read(inFlight.at()).contents()))
                .isEqualTo(FramePayload.toBatch(inFlight.contents()));
        int compacted = 1;
        while (log.compactOldest(Long.MAX_VALUE, m -> { }) != null) {
            compacted++;
        }
        assertThat(compacted).as("every segment but the one being forwarded and the one being written")
                .isEqualTo(segments().size() - 2);
    }

    private void writeSegment(ByteBuffer... frames) throws IOException {
        try (FileChannel ch = FileChannel.open(dir.resolve("0000000001-1700000000000.seg"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            for (ByteBuffer f : frames) {
                ch.write(f);
            }
        }
    }

    @Test
    void aSegmentOfTheFirstFormatIsReadAndEvictedLikeAnyOther() throws IOException {
        String a1 = record("a", 1, "session_start").toString();
        String a2 = record("a", 2, "event").toString();
        writeSegment(LegacyFrames.version1("{\"records\":[" + a1 + "," + a2 + "],\"sessions\":{\"a\":{\"client_dropped\":4,"
                        + "\"spool_evicted\":0,\"last_heartbeat\":9}}}"),
                LegacyFrames.version1("{\"records\":[" + record("a", 3, "event") + "]}"));

        SpoolLog log = SpoolLog.open(dir, FsyncPolicy.NEVER, SEGMENT);

        assertThat(log.pendingRecords()).isEqualTo(3);
        Frame first = log.read(log.cursor());
        assertThat(first.contents().records()).isEqualTo(2);
        assertThat(first.contents().sids()).containsExactly("a");
        assertThat(first.contents().counters()).containsExactly(Map.entry("a", new SessionCounters(4, 0, 9)));
        assertThat(new String(first.contents().payload(), first.contents().start(), first.contents().length(),
                StandardCharsets.UTF_8)).isEqualTo(a1 + "," + a2);
        assertThat(readAll(log)).extracting(r -> r.get("seq").asLong()).containsExactly(1L, 2L, 3L);
        log.close();
        log = SpoolLog.open(dir, FsyncPolicy.NEVER, SEGMENT);

        SpoolLog.Compaction c = log.compactOldest(Long.MAX_VALUE, m -> { });

        assertThat(c.removed()).containsExactly(Map.entry("a", 2L));
        assertThat(readAll(log)).extracting(r -> r.get("seq").asLong()).containsExactly(1L);
        assertThat(log.read(log.cursor()).contents().counters()).as("the counters survive the rewrite")
                .containsExactly(Map.entry("a", new SessionCounters(4, 0, 9)));
    }

    @Test
    void aSegmentOfALaterFormatIsRefusedAndLeftWhole() throws IOException {
        ByteBuffer later = FrameCodec.encode(2, FramePayload.encode(List.of(record("s", 1, "event"))).get(0).bytes());
        later.putInt(0, 0x44435339);
        writeSegment(later);
        Path segment = segments().get(0);
        long size = Files.size(segment);

        assertThatThrownBy(() -> SpoolLog.open(dir, FsyncPolicy.NEVER, SEGMENT))
                .isInstanceOf(IOException.class).hasMessageContaining("DCS9 was written by a newer DataCat daemon");
        assertThat(Files.size(segment)).isEqualTo(size);
    }
}
