package io.datacat.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static io.datacat.daemon.TestSupport.batch;
import static io.datacat.daemon.TestSupport.event;
import static io.datacat.daemon.TestSupport.get;
import static io.datacat.daemon.TestSupport.newSid;
import static io.datacat.daemon.TestSupport.post;
import static io.datacat.daemon.TestSupport.seqs;
import static io.datacat.daemon.TestSupport.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Delivery to the server: order, retries through outages, and poison batches set aside. */
class ForwardingTest {
    @TempDir
    Path tmp;
    private RecordingServer server;
    private Daemon daemon;

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static boolean containsPoison(JsonNode batch) {
        for (JsonNode r : batch.path("records")) {
            if (r.path("name").asText().equals("poison")) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aPoisonBatchIsQuarantinedWhileTheDataAroundItFlows() throws IOException {
        server = RecordingServer.start();
        // Down first, so the three batches below go out grouped in one request.
        server.onIngest(b -> new RecordingServer.Answer(503, "starting"));
        daemon = Daemon.start(TestSupport.config(tmp, server.url()).build());
        String sid = newSid();
        post(daemon.port(), "/v1/batch", batch(List.of(start(sid, 0), event(sid, 2, "before"))));
        post(daemon.port(), "/v1/batch", batch(List.of(event(sid, 3, "poison"))));
        post(daemon.port(), "/v1/batch", batch(List.of(event(sid, 4, "after"))));
        await().atMost(Duration.ofSeconds(5)).until(() -> server.ingestRequests() > 0);

        server.onIngest(b -> containsPoison(b) ? new RecordingServer.Answer(400, "records[0].name: poison is refused")
                : RecordingServer.Answer.OK);

        await().atMost(Duration.ofSeconds(10)).until(() -> server.records(sid).size() == 3);
        assertThat(seqs(server.records(sid))).containsExactly(1L, 2L, 4L);
        Path rejected = daemon.spoolDirectory().resolve("rejected");
        List<Path> files;
        try (Stream<Path> s = Files.list(rejected)) {
            files = s.toList();
        }
        assertThat(files).hasSize(1);
        JsonNode quarantined = Json.parse(Files.readAllBytes(files.get(0)));
        assertThat(quarantined.get("status").asInt()).isEqualTo(400);
        assertThat(quarantined.get("error").asText()).contains("poison is refused");
        assertThat(quarantined.get("batch").get("records").get(0).get("seq").asLong()).isEqualTo(3);
        assertThat(get(daemon.port(), "/health").body().path("forward").path("rejected_frames").asLong()).isEqualTo(1);

        post(daemon.port(), "/v1/batch", batch(List.of(event(sid, 5, "later"))));
        await().atMost(Duration.ofSeconds(5)).until(() -> server.records(sid).size() == 4);
    }

    @Test
    void anOutageIsRiddenOutWithoutLossOrDuplicates() throws IOException {
        server = RecordingServer.start();
        AtomicInteger failures = new AtomicInteger();
        server.onIngest(b -> failures.incrementAndGet() <= 4 ? new RecordingServer.Answer(500, "database locked")
                : RecordingServer.Answer.OK);
        daemon = Daemon.start(TestSupport.config(tmp, server.url()).build());
        String sid = newSid();
        List<ObjectNode> records = new ArrayList<>(List.of(start(sid, 0)));
        for (int i = 2; i <= 20; i++) {
            records.add(event(sid, i, "e" + i));
        }

        for (ObjectNode r : records) {
            assertThat(post(daemon.port(), "/v1/batch", batch(List.of(r))).status()).isEqualTo(200);
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> server.records(sid).size() == 20);
        long delivered = server.batches().stream().mapToLong(b -> b.path("records").size()).sum();
        assertThat(delivered).as("no record was accepted twice").isEqualTo(20);
        assertThat(seqs(server.records(sid))).isSorted();
        assertThat(failures.get()).isGreaterThan(4);
    }

    @Test
    void eachSessionsOrderHoldsAcrossManySegments() throws IOException {
        server = RecordingServer.start();
        server.onIngest(b -> new RecordingServer.Answer(503, "maintenance"));
        // A 1 MiB bound makes 64 KiB segments; ~400 KiB of records spans several of them.
        daemon = Daemon.start(TestSupport.config(tmp, server.url()).spoolMaxBytes(1024 * 1024).build());
        List<String> sids = List.of(newSid(), newSid(), newSid());
        for (String sid : sids) {
            post(daemon.port(), "/v1/batch", batch(List.of(start(sid, 0))));
        }
        for (int i = 2; i <= 130; i++) {
            for (String sid : sids) {
                ObjectNode e = event(sid, i, "tick");
                e.put("message", "m".repeat(1000));
                post(daemon.port(), "/v1/batch", batch(List.of(e)));
            }
        }
        try (Stream<Path> s = Files.list(daemon.spoolDirectory())) {
            assertThat(s.filter(p -> p.toString().endsWith(".seg")).count()).isGreaterThan(4);
        }

        server.onIngest(b -> RecordingServer.Answer.OK);

        await().atMost(Duration.ofSeconds(15)).until(() -> server.records().size() == 3 * 130);
        for (String sid : sids) {
            assertThat(seqs(server.records(sid))).containsExactlyElementsOf(
                    Stream.iterate(1L, i -> i + 1).limit(130).toList());
        }
        assertThat(server.batches()).allMatch(b -> b.path("records").size() <= 5000);
        JsonNode spool = get(daemon.port(), "/health").body().path("spool");
        assertThat(spool.path("evicted_records").asLong()).isZero();
        assertThat(spool.path("max_bytes").asLong()).as("the bound in force").isEqualTo(1024 * 1024);
        assertThat(spool.path("fsync").asText()).isEqualTo("interval");
    }

    /** A new session's {@code count} records, posted in batches of 1,000 and spooled (the server refuses them). */
    private String spoolWhileTheServerRefuses(int count) throws IOException {
        String sid = newSid();
        List<ObjectNode> records = new ArrayList<>(List.of(start(sid, 0)));
        for (int i = 2; i <= count; i++) {
            records.add(event(sid, i, "e"));
        }
        for (int from = 0; from < records.size(); from += 1000) {
            post(daemon.port(), "/v1/batch", batch(records.subList(from, Math.min(records.size(), from + 1000))));
        }
        return sid;
    }

    @Test
    void twoRequestsAreInFlightAndTheServerStoresThemInOrderThroughAFault() throws IOException {
        server = RecordingServer.start();
        server.onIngest(b -> new RecordingServer.Answer(503, "starting"));
        daemon = Daemon.start(TestSupport.config(tmp, server.url()).build());
        String sid = spoolWhileTheServerRefuses(24_000);

        // Each answer waits (up to 1 s) for a second request to be in progress; the third
        // request to be answered fails once, so the one in flight behind it is refused.
        AtomicInteger answers = new AtomicInteger();
        server.onIngest(b -> {
            server.awaitConcurrentIngests(2, Duration.ofSeconds(1));
            return answers.incrementAndGet() == 3 ? new RecordingServer.Answer(500, "database locked")
                    : RecordingServer.Answer.OK;
        });

        await().atMost(Duration.ofSeconds(30)).until(() -> server.records(sid).size() == 24_000);
        assertThat(server.maxConcurrentIngests()).as("requests in flight at once").isEqualTo(2);
        long delivered = server.batches().stream().mapToLong(b -> b.path("records").size()).sum();
        assertThat(delivered).as("no record was stored twice").isEqualTo(24_000);
        assertThat(seqs(server.records(sid))).containsExactlyElementsOf(
                Stream.iterate(1L, i -> i + 1).limit(24_000).toList());
        assertThat(answers.get()).isGreaterThan(3);
    }

    @Test
    void aServerThatDoesNotKeepTheOrderGetsOneRequestAtATime() throws IOException {
        server = RecordingServer.start();
        server.withoutOrder();
        server.onIngest(b -> new RecordingServer.Answer(503, "starting"));
        daemon = Daemon.start(TestSupport.config(tmp, server.url()).build());
        String sid = spoolWhileTheServerRefuses(12_000);

        server.onIngest(b -> {
            server.awaitConcurrentIngests(2, Duration.ofMillis(300));
            return RecordingServer.Answer.OK;
        });

        await().atMost(Duration.ofSeconds(30)).until(() -> server.records(sid).size() == 12_000);
        assertThat(server.maxConcurrentIngests()).as("requests in flight at once").isEqualTo(1);
        assertThat(seqs(server.records(sid))).containsExactlyElementsOf(
                Stream.iterate(1L, i -> i + 1).limit(12_000).toList());
    }
}
