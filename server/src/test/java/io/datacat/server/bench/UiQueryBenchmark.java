package io.datacat.server.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.Batch;
import io.datacat.protocol.Json;
import io.datacat.server.DatacatServer;
import io.datacat.server.RunningServer;
import io.datacat.server.ServerConfig;
import io.datacat.server.ingest.Ingestor;
import io.datacat.server.store.SqliteStore;
import io.datacat.server.store.SqliteSync;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;

/**
 * Server time of the web UI's pages on a big store: 100,000 sessions, one of which has
 * 1,000,000 events (plus state updates and metrics), all stored through the real ingest code.
 * A real server then answers the routes each page calls, over HTTP; the time is the server's
 * own ({@code Server-Timing}: parsing the request, the queries and writing the JSON), the
 * median and 95th percentile of {@value #RUNS} runs after {@value #WARMUP} warm-up runs.
 *
 * <p>Run with {@code mvn -q -B -pl protocol,server verify -P ui-benchmark -DskipTests}; the table
 * is printed and written to {@code server/target/ui-benchmark.md}.
 */
public final class UiQueryBenchmark {
    private static final int SESSIONS = 100_000;
    private static final int BIG_EVENTS = 1_000_000;
    private static final int BATCH = 5_000;
    private static final int WARMUP = 5;
    private static final int RUNS = 30;
    private static final String BIG = "big-session";
    /** 2026-11-01T00:00:00Z in µs; sessions start over the 30 days after it. */
    private static final long T0 = 1_793_491_200_000_000L;
    private static final String[] PRODUCTS = {"Racer", "Kart", "Dungeon", "Skyline"};
    private static final String[] VERSIONS = {"1.0", "1.1", "1.2", "2.0", "2.1"};
    private static final String[] MAPS = {"forest", "desert", "harbor", "castle", "moon"};

    private UiQueryBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("datacat-ui-bench");
        try {
            long seedStart = System.nanoTime();
            long records = seed(dir);
            double seedSeconds = (System.nanoTime() - seedStart) / 1e9;
            System.out.printf(Locale.ROOT, "seeded %,d sessions and %,d records in %.0f s%n", SESSIONS + 1, records,
                    seedSeconds);
            String table = measure(dir);
            String report = String.format(Locale.ROOT, "%d sessions, one with %,d events; %,d records in all; %d cores; "
                            + "Java %s%n%n%s", SESSIONS + 1, BIG_EVENTS, records,
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), table);
            System.out.println(report);
            Path out = Path.of(System.getProperty("basedir", ".")).resolve("target/ui-benchmark.md");
            Files.createDirectories(out.getParent());
            Files.writeString(out, report);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Fills the store through {@link Ingestor}, as the ingest route would. Returns the records stored. */
    private static long seed(Path dir) {
        long stored = 0;
        try (SqliteStore store = SqliteStore.open(dir, SqliteSync.NORMAL)) {
            Ingestor ingestor = new Ingestor(store);
            List<ObjectNode> pending = new ArrayList<>();
            for (int i = 0; i < SESSIONS; i++) {
                pending.addAll(smallSession(i));
                if (pending.size() >= BATCH) {
                    stored += ingestor.ingest(batch(pending)).accepted();
                    pending.clear();
                }
            }
            stored += ingestor.ingest(batch(pending)).accepted();
            pending.clear();
            BigSession big = new BigSession();
            while (big.hasMore()) {
                stored += ingestor.ingest(batch(big.next(BATCH))).accepted();
            }
        }
        return stored;
    }

    /** A few minutes of play: start, state, events, metrics, and an end (1 in 10 crash, 1 in 20 hang). */
    private static List<ObjectNode> smallSession(int i) {
        String sid = String.format(Locale.ROOT, "s-%06d", i);
        long start = T0 + (long) i * 25_920_000L; // 30 days over 100,000 sessions
        List<ObjectNode> rs = new ArrayList<>();
        long[] seq = {0};
        BiFunction<Long, String, ObjectNode> rec = (ms, kind) -> {
            ObjectNode r = Json.mapper().createObjectNode().put("sid", sid).put("seq", ++seq[0]).put("kind", kind)
                    .put("ts", start + ms * 1_000);
            rs.add(r);
            return r;
        };
        rec.apply(0L, "session_start").put("product", PRODUCTS[i % PRODUCTS.length])
                .put("version", VERSIONS[(i / 7) % VERSIONS.length]).put("hostname", "rig-" + (i % 300))
                .put("pid", 1_000 + i % 30_000);
        rec.apply(5L, "state").putObject("patch").put("map", MAPS[i % MAPS.length]).put("level", 1 + i % 10);
        rec.apply(10L, "event").put("name", "level_started").put("level", "info");
        for (int m = 1; m <= 4; m++) {
            rec.apply(m * 1_000L, "metric").put("name", "fps").put("type", "gauge").put("value", 50 + (i + m) % 11);
        }
        rec.apply(30_000L, "state").putObject("patch").put("level", 2 + i % 10);
        if (i % 13 == 0) {
            rec.apply(31_000L, "event").put("name", "rare_achievement").put("level", "info")
                    .put("message", "unlocked the golden kart");
        }
        if (i % 20 == 0) {
            rec.apply(40_000L, "hang").put("thread", "main").put("timeout_ms", 1_000).put("silent_ms", 1_500)
                    .putArray("stack").add("\tat game.Loop.run(Loop.java:40)");
            rec.apply(42_000L, "recovered").put("duration_ms", 2_000);
        }
        if (i % 10 == 3) {
            rec.apply(60_000L, "crash").put("reason", "uncaught_exception").put("message", "boss has no name");
        } else if (i % 10 != 7) {
            rec.apply(60_000L, "end");
        }
        return rs;
    }

    /**
     * One very long session: {@value #BIG_EVENTS} events (one in 1,000 a warning, one in 50,000 an
     * exception), a state update every 100 events, an fps gauge and a frame time histogram every
     * 1,000 events. Events are 1 ms apart.
     */
    private static final class BigSession {
        /** The seq of the state update made at the 500,000th event: a click in the middle of the session. */
        static long middleStateSeq;
        private long event;
        private long seq;
        private boolean started;

        boolean hasMore() {
            return event < BIG_EVENTS;
        }

        List<ObjectNode> next(int size) {
            List<ObjectNode> rs = new ArrayList<>(size + 4);
            if (!started) {
                started = true;
                add(rs, 0, "session_start").put("product", "Racer").put("version", "2.1").put("hostname", "soak-rig")
                        .put("pid", 4242);
            }
            while (rs.size() < size && event < BIG_EVENTS) {
                event++;
                long ms = event;
                ObjectNode e = add(rs, ms, event % 50_000 == 0 ? "exception" : "event")
                        .put("name", event % 1_000 == 0 ? "frame_spike" : "entity_update")
                        .put("level", event % 1_000 == 0 ? "warning" : "debug");
                if (event % 50_000 == 0) {
                    e.put("exception_type", "java.lang.IllegalStateException").put("exception_msg", "desync at " + ms)
                            .putArray("stacktrace").add("java.lang.IllegalStateException: desync")
                            .add("\tat game.Net.sync(Net.java:77)");
                } else {
                    e.putObject("data").put("entity", event % 5_000).put("x", event % 977);
                }
                if (event % 100 == 0) {
                    if (event == BIG_EVENTS / 2) {
                        middleStateSeq = seq + 1;
                    }
                    add(rs, ms, "state").putObject("patch").put("frame", event).putObject("player")
                            .put("x", event % 977).put("map", MAPS[(int) (event / 100_000) % MAPS.length]);
                }
                if (event % 1_000 == 0) {
                    add(rs, ms, "metric").put("name", "fps").put("type", "gauge").put("value", 55 + event % 7);
                    ObjectNode h = add(rs, ms, "metric").put("name", "frame_time_ms").put("type", "histogram")
                            .put("count", 60).put("sum", 1_000).put("min", 12).put("max", 40).put("value", 16.7);
                    ArrayNode b = h.putArray("buckets");
                    b.addObject().put("le", 16).put("count", 40);
                    b.addObject().put("le", 32).put("count", 19);
                    b.addObject().put("le", "+Inf").put("count", 1);
                }
            }
            return rs;
        }

        private ObjectNode add(List<ObjectNode> rs, long ms, String kind) {
            ObjectNode r = Json.mapper().createObjectNode().put("sid", BIG).put("seq", ++seq).put("kind", kind)
                    .put("ts", T0 + ms * 1_000);
            rs.add(r);
            return r;
        }
    }

    private static Batch batch(List<ObjectNode> records) {
        ObjectNode root = Json.mapper().createObjectNode();
        ArrayNode arr = root.putArray("records");
        records.forEach(arr::add);
        return Batch.parse(root);
    }

    /** The routes of each page, timed on a real server over the seeded folder. */
    private static String measure(Path dir) throws Exception {
        Map<String, String> routes = new LinkedHashMap<>();
        String big = "/api/sessions/" + BIG;
        routes.put("session page: summary", big + "/summary");
        routes.put("session page: timeline, first 100", big + "/timeline?limit=100");
        routes.put("session page: timeline, 100 from the middle", big + "/timeline?limit=100&from="
                + (T0 + 500_000_000L));
        routes.put("session page: strip markers (1,000)", big
                + "/timeline?kind=session_start,end,crash,hang,recovered,event,exception&notable=true&limit=1000");
        routes.put("session page: hangs", big + "/timeline?kind=hang,recovered&limit=200");
        routes.put("session page: metric charts (2 series)", big + "/series?points=160");
        routes.put("session page: errors only", big + "/events?level=error,critical&limit=100");
        routes.put("session page: click a state update (mid-session)", big + "/state/at?src=app&seq="
                + BigSession.middleStateSeq);
        routes.put("session page: click an event (state at its time)", big + "/state/at?ts=" + (T0 + 987_654_321L));
        routes.put("sessions list: first 50", "/api/sessions?limit=50");
        routes.put("sessions list: product + version", "/api/sessions?product=Kart&version=1.2&limit=50");
        routes.put("sessions list: crashed", "/api/sessions?status=crashed&limit=50");
        routes.put("sessions list: hung at some point", "/api/sessions?status=hung_ever&limit=50");
        routes.put("sessions list: state now (map = moon)", "/api/sessions?state_key=map&state_value=moon&limit=50");
        routes.put("sessions list: state ever (level = 1)", "/api/sessions?state_key=level&state_value=1"
                + "&state_scope=ever&limit=50");
        routes.put("sessions list: event name (1 in 13)", "/api/sessions?event=rare_achievement&limit=50");
        routes.put("sessions list: oldest first", "/api/sessions?sort=oldest&limit=50");
        routes.put("overview: products and versions", "/api/products");
        routes.put("sessions list: text search (1 in 13)", "/api/sessions?q=golden&limit=50");

        HttpClient http = HttpClient.newHttpClient();
        StringBuilder table = new StringBuilder(
                "| page and route | server median (ms) | server p95 (ms) | response (KiB) |\n|---|---:|---:|---:|\n");
        try (RunningServer server = DatacatServer.start(ServerConfig.builder().port(0).dataDir(dir).build())) {
            for (Map.Entry<String, String> e : routes.entrySet()) {
                List<Double> times = new ArrayList<>();
                int bytes = 0;
                for (int run = 0; run < WARMUP + RUNS; run++) {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.url()
                            + e.getValue().substring(1))).build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException(e.getValue() + " answered " + r.statusCode() + ": " + r.body());
                    }
                    bytes = r.body().length();
                    if (run >= WARMUP) {
                        times.add(Double.parseDouble(r.headers().firstValue("Server-Timing").orElseThrow()
                                .replace("app;dur=", "")));
                    }
                }
                Collections.sort(times);
                table.append(String.format(Locale.ROOT, "| %s <br>`%s` | %.1f | %.1f | %.0f |%n", e.getKey(),
                        e.getValue(), times.get(times.size() / 2), times.get((int) Math.ceil(times.size() * 0.95) - 1),
                        bytes / 1024.0));
            }
        }
        return table.toString();
    }
}
