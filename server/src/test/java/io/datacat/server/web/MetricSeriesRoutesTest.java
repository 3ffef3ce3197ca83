package io.datacat.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.datacat.protocol.Timestamps;
import io.datacat.server.testing.ServerPerStoreTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static io.datacat.server.testing.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Chart series over HTTP of a counter sent as running totals through the compatible route
 * (COMPAT 1.6): two tag sets, each its own total, sent in turns.
 */
class MetricSeriesRoutesTest extends ServerPerStoreTest {
    private static final long S = 1_000_000;

    private String id;
    /** The time of the sixth and last total; the others are one second apart before it. */
    private long lastTs;

    @BeforeEach
    void seed() {
        HttpResponse<String> created = server.post("/api/sessions", "{\"product\":\"Shooter\",\"version\":\"1\"}");
        id = json(created).get("session_id").asText();
        long first = Timestamps.nowMicros() + S;
        String[] totals = {"a:100", "b:5", "a:110", "b:6", "a:120", "b:7"};
        for (int i = 0; i < totals.length; i++) {
            String[] tagAndTotal = totals[i].split(":");
            HttpResponse<String> r = server.post("/api/sessions/" + id + "/metrics", "{\"name\":\"shots\","
                    + "\"type\":\"counter\",\"value\":" + tagAndTotal[1] + ",\"tags\":[\"weapon:" + tagAndTotal[0]
                    + "\"],\"timestamp\":\"" + Timestamps.format(first + i * S) + "\"}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
        lastTs = first + 5 * S;
    }

    private JsonNode getOk(String path) {
        HttpResponse<String> r = server.get(path);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r);
    }

    /** Each series' summary total, by its tags. */
    private Map<String, Double> totals(JsonNode answer) {
        Map<String, Double> out = new HashMap<>();
        answer.get("series").forEach(s -> out.put(s.get("tags").toString(), s.at("/summary/total").asDouble()));
        return out;
    }

    private static String encoded(String time) {
        return URLEncoder.encode(time, StandardCharsets.UTF_8);
    }

    @Test
    void eachTagSetIsARunningTotalOfItsOwn() {
        assertThat(totals(getOk("/api/sessions/" + id + "/series?name=shots")))
                .isEqualTo(Map.of("[\"weapon:a\"]", 120.0, "[\"weapon:b\"]", 7.0));

        JsonNode across = getOk("/api/metrics?product=Shooter&name=shots");
        assertThat(across.get("sessions")).hasSize(1);
        assertThat(across.at("/sessions/0/summary/total").asDouble()).as("120 of a plus 7 of b").isEqualTo(127.0);
        assertThat(across.at("/sessions/0/points/total").get(across.at("/sessions/0/points/total").size() - 1)
                .asDouble()).isEqualTo(127.0);
    }

    /** Only JSON true makes a counter a running total, in the series and in the stores' own reads alike. */
    @Test
    void onlyJsonTrueMakesACounterARunningTotal() {
        long t = Timestamps.nowMicros();
        StringBuilder records = new StringBuilder("{\"sid\":\"spelled\",\"seq\":1,\"kind\":\"session_start\",\"ts\":" + t
                + ",\"product\":\"P\",\"version\":\"1\"}");
        String[] spellings = {"1", "\"true\"", "true"};
        int seq = 2;
        for (String spelling : spellings) {
            for (int total : new int[] {10, 15}) {
                records.append(",{\"sid\":\"spelled\",\"seq\":").append(seq).append(",\"kind\":\"metric\",\"ts\":")
                        .append(t + seq * S).append(",\"name\":\"c\",\"type\":\"counter\",\"value\":").append(total)
                        .append(",\"cumulative\":").append(spelling).append(",\"tags\":[\"as:")
                        .append(spelling.replace("\"", "")).append("\"]}");
                seq++;
            }
        }
        HttpResponse<String> r = server.post("/api/ingest", "{\"records\":[" + records + "]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);

        // From the second record of each pair on: a running total added 5, an increment counts 15.
        for (int first = 2; first <= 6; first += 2) {
            String from = encoded(Timestamps.format(t + (first + 1) * S));
            String to = encoded(Timestamps.format(t + (first + 2) * S));
            Map<String, Double> totals = totals(getOk("/api/sessions/spelled/series?name=c&from=" + from + "&to=" + to));
            String spelling = spellings[(first - 2) / 2].replace("\"", "");
            assertThat(totals).as(spelling).isEqualTo(Map.of("[\"as:" + spelling + "\"]",
                    spelling.equals("true") && first == 6 ? 5.0 : 15.0));
        }
    }

    @Test
    void aRangeStartingMidSessionCountsOnlyWhatWasAddedWithinIt() {
        // From the fifth total (a: 120, b: 7 follow): a added 10 since its 110, b 1 since its 6.
        String from = encoded(Timestamps.format(lastTs - S));
        assertThat(totals(getOk("/api/sessions/" + id + "/series?name=shots&from=" + from)))
                .isEqualTo(Map.of("[\"weapon:a\"]", 10.0, "[\"weapon:b\"]", 1.0));

        String to = encoded(Timestamps.format(lastTs));
        assertThat(totals(getOk("/api/sessions/" + id + "/series?name=shots&from=" + from + "&to=" + to)))
                .isEqualTo(Map.of("[\"weapon:a\"]", 10.0));
    }

    @Test
    void aRangeOfCenturiesPutsThePointsWhereTheRecordsAre() {
        JsonNode answer = getOk("/api/sessions/" + id + "/series?name=shots&points=1000&from="
                + encoded("0001-01-01T00:00:00Z"));
        assertThat(totals(answer)).isEqualTo(Map.of("[\"weapon:a\"]", 120.0, "[\"weapon:b\"]", 7.0));
        long from = answer.get("from").asLong();
        long to = answer.get("to").asLong();
        long bucket = (to - from) / 1000 + 1;
        for (JsonNode series : answer.get("series")) {
            assertThat(series.at("/points/t")).hasSize(1);
            long t = series.at("/points/t/0").asLong();
            assertThat(t).isBetween(lastTs - 5 * S - bucket, lastTs);
        }
    }

    @Test
    void aRangeTooLongForMicrosecondsIsRefused() {
        HttpResponse<String> r = server.get("/api/sessions/" + id + "/series?from=" + encoded("0001-01-01T00:00:00Z")
                + "&to=" + Long.MAX_VALUE);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(json(r).get("field").asText()).isEqualTo("from");
    }
}
