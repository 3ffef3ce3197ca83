package io.datacat.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.datacat.server.live.LiveFeed;
import io.datacat.server.testing.ServerPerStoreTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.datacat.server.testing.TestRecords.batchJson;
import static io.datacat.server.testing.TestRecords.event;
import static io.datacat.server.testing.TestRecords.metric;
import static io.datacat.server.testing.TestRecords.start;
import static io.datacat.server.testing.TestRecords.state;
import static io.datacat.server.testing.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The web UI's files and the routes added for it, over HTTP. */
class UiRoutesTest extends ServerPerStoreTest {
    @BeforeEach
    void seed() {
        HttpResponse<String> r = server.post("/api/ingest", batchJson(start("s1", 1, "Game", "1.0"),
                state("s1", 2, "{\"level\":1}"), event("s1", 3, "boss", "error"), metric("s1", 4, "fps", 60),
                state("s1", 5, "{\"level\":2}")).toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    @Test
    void everyUiPathServesTheAppWithAStrictContentSecurityPolicy() {
        for (String path : new String[] {"/", "/sessions", "/sessions/s1", "/metrics"}) {
            HttpResponse<String> r = server.get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
            assertThat(r.headers().firstValue("Content-Security-Policy").orElse(""))
                    .contains("script-src 'self'", "default-src 'none'").doesNotContain("unsafe-inline");
            assertThat(r.body()).contains("<script type=\"module\" src=\"/ui/js/app.js\">");
        }
    }

    /** {@code curl -I}: the UI's pages, its files and /health answer HEAD as they answer GET, without a body. */
    @Test
    void headAnswersLikeGetWithoutABody() {
        for (String path : new String[] {"/", "/sessions", "/sessions/s1", "/metrics", "/ui/js/app.js", "/health"}) {
            HttpResponse<String> get = server.get(path);
            HttpResponse<String> head = server.method("HEAD", path, null);
            assertThat(head.statusCode()).as(path).isEqualTo(200);
            assertThat(head.headers().firstValue("Content-Type")).as(path)
                    .isEqualTo(get.headers().firstValue("Content-Type"));
            assertThat(head.body()).as(path).isEmpty();
        }
        assertThat(server.method("HEAD", "/nowhere", null).statusCode()).isEqualTo(404);
    }

    @Test
    void assetsComeFromTheJarWithAnEtagAndNothingElseIsServed() {
        HttpResponse<String> uplot = server.get("/ui/vendor/uPlot.esm.js");
        assertThat(uplot.statusCode()).isEqualTo(200);
        assertThat(uplot.headers().firstValue("Content-Type").orElse("")).startsWith("text/javascript");
        assertThat(uplot.body()).contains("export");
        assertThat(server.get("/ui/vendor/uPlot.min.css").statusCode()).isEqualTo(200);

        HttpResponse<String> app = server.get("/ui/js/app.js");
        String etag = app.headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> again = server.send(HttpRequest.newBuilder(URI.create(server.server().url() + "ui/js/app.js"))
                .header("If-None-Match", etag).build());
        assertThat(again.statusCode()).isEqualTo(304);

        for (String path : new String[] {"/ui/../pom.xml", "/ui/js/nope.js", "/ui/logback.xml", "/ui/.hidden.js"}) {
            HttpResponse<String> r = server.get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(json(r).has("error")).isTrue();
        }
    }

    @Test
    void theNewQueryRoutesAnswerAndTellTheServerTime() {
        HttpResponse<String> products = server.get("/api/products");
        assertThat(products.headers().firstValue("Server-Timing").orElse("")).startsWith("app;dur=");
        assertThat(json(products).at("/products/0/versions/0/active").asLong()).isEqualTo(1);
        assertThat(json(server.get("/api/sessions/s1/summary")).get("id").asText()).isEqualTo("s1");
        assertThat(json(server.get("/api/sessions/s1/timeline")).get("records")).hasSize(4);
        JsonNode at = json(server.get("/api/sessions/s1/state/at?src=app&seq=5"));
        assertThat(at.get("state").toString()).isEqualTo("{\"level\":2}");
        assertThat(at.at("/changes/0/before").asInt()).isEqualTo(1);
        assertThat(json(server.get("/api/sessions/s1/series")).at("/series/0/name").asText()).isEqualTo("fps");
        JsonNode across = json(server.get("/api/metrics?product=Game&name=fps"));
        assertThat(across.at("/names/0/name").asText()).isEqualTo("fps");
        assertThat(across.at("/sessions/0/session").asText()).isEqualTo("s1");
        assertThat(json(server.get("/api/sessions?state_key=level&state_value=2")).get("sessions")).hasSize(1);
    }

    @Test
    void badParametersOfTheNewRoutesAre400sNamingTheParameter() {
        String[][] cases = {
            {"/api/sessions/s1/timeline?notable=maybe", "notable"},
            {"/api/sessions/s1/timeline?from=9&to=3", "from"},
            {"/api/sessions/s1/state/at", "ts"},
            {"/api/sessions/s1/state/at?src=app&seq=0", "seq"},
            {"/api/sessions/s1/state/at?src=nope&seq=3", "src"},
            {"/api/sessions/s1/series?points=0", "points"},
            {"/api/metrics?name=fps", "product"},
            {"/api/metrics?product=Game&sessions=99", "sessions"},
            {"/api/sessions?sort=sideways", "sort"},
            {"/api/sessions?state_value=1", "state_key"},
            {"/api/sessions?state_key=a&state_value=1&state_scope=never", "state_scope"},
            {"/api/sessions?status=sleepy", "status"},
        };
        for (String[] c : cases) {
            HttpResponse<String> r = server.get(c[0]);
            assertThat(r.statusCode()).as(c[0] + " " + r.body()).isEqualTo(400);
            assertThat(json(r).get("field").asText()).as(c[0]).isEqualTo(c[1]);
        }
        assertThat(server.get("/api/sessions/s1/state/at?src=app&seq=3").statusCode()).isEqualTo(404);
        assertThat(server.get("/api/sessions/nope/timeline").statusCode()).isEqualTo(404);
        assertThat(server.get("/api/sessions/nope/live").statusCode()).isEqualTo(404);
        HttpResponse<String> plain = server.get("/api/sessions/s1/live");
        assertThat(plain.statusCode()).isEqualTo(406);
        assertThat(json(plain).get("error").asText()).contains("text/event-stream");
    }

    @Test
    void aFullLiveFeedAnswers503WithRetryAfterInsteadOfStartingAStream() {
        LiveFeed live = server.server().live();
        List<LiveFeed.Slot> taken = new ArrayList<>();
        for (int i = 0; i < LiveFeed.MAX_WATCHERS; i++) {
            taken.add(live.reserve());
        }
        HttpResponse<String> full = server.send(HttpRequest.newBuilder(URI.create(server.server().url()
                + "api/sessions/s1/live")).header("Accept", "text/event-stream").build());

        assertThat(full.statusCode()).as(full.body()).isEqualTo(503);
        assertThat(full.headers().firstValue("Retry-After")).isPresent();
        assertThat(full.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(json(full).get("error").asText()).contains("too many live connections");
        assertThat(live.watcherCount()).as("the refused request holds no place").isEqualTo(LiveFeed.MAX_WATCHERS);
        taken.forEach(LiveFeed.Slot::close);
        assertThat(live.watcherCount()).isZero();
    }

    @Test
    void theLiveRouteStreamsNewRecordsAndLetsGoOfAClosedConnection() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.server().url() + "api/sessions/s1/live"))
                .header("Accept", "text/event-stream").build();
        HttpResponse<InputStream> stream = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8));
        CompletableFuture<String> records = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line; (line = lines.readLine()) != null; ) {
                    if (line.equals("event: records")) {
                        return lines.readLine();
                    }
                }
                return null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> server.server().live().watcherCount() == 1);

        server.post("/api/ingest", batchJson(event("s1", 6, "checkpoint", "info")).toString());
        assertThat(records.get(5, TimeUnit.SECONDS)).startsWith("data: [").contains("\"name\":\"checkpoint\"");

        stream.body().close();
        // The closed connection is noticed at the next write (a record, or the periodic keep-alive).
        server.post("/api/ingest", batchJson(event("s1", 7, "after", "info")).toString());
        await().atMost(Duration.ofSeconds(20)).until(() -> server.server().live().watcherCount() == 0);
    }
}
