package io.datacat.server.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.InvalidInputException;
import io.datacat.protocol.Json;
import io.datacat.protocol.Limits;
import io.datacat.protocol.MetricType;
import io.datacat.protocol.RecordKind;
import io.datacat.protocol.Timestamps;
import io.datacat.server.store.ReadTransaction;
import io.datacat.server.store.RecordBodies;
import io.datacat.server.store.RecordFilter;
import io.datacat.server.store.RecordStream;
import io.datacat.server.store.SessionFilter;
import io.datacat.server.store.SessionNotFoundException;
import io.datacat.server.store.SessionRow;
import io.datacat.server.store.Store;
import io.datacat.server.store.TimeRange;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Metric series for charts: one session's metrics downsampled over time, and one metric
 * across the latest sessions of a product version.
 */
public final class MetricQueries {
    public static final int DEFAULT_POINTS = 200;
    public static final int MAX_POINTS = 1_000;
    public static final int DEFAULT_SESSIONS = 20;
    public static final int MAX_SESSIONS = 50;
    /** Versions the per-version aggregates of {@code /api/metrics} list at most, those with most sessions first. */
    public static final int MAX_VERSIONS_COMPARED = 10;
    /** Metric records one request reads at most, so one chart request stays bounded in time. */
    public static final long MAX_RECORDS_READ = 2_000_000;
    /** Sessions and records per session read to list metric names: enough to see every metric a game logs. */
    private static final int NAME_SAMPLE_SESSIONS = 5;
    private static final int NAME_SAMPLE_RECORDS = 5_000;

    private final Store store;

    public MetricQueries(Store store) {
        this.store = store;
    }

    /**
     * {@code GET /api/sessions/{id}/series?name=&from=&to=&points=}: every metric series of the
     * session (or those named {@code name}) over {@code from}–{@code to} (default: the whole
     * session, from its start to its end or its last metric record), in at most {@code points}
     * buckets each.
     */
    public ObjectNode sessionSeries(String id, QueryParams p) {
        String name = p.text("name", Limits.MAX_NAME_CHARS);
        int points = p.number("points", DEFAULT_POINTS, 1, MAX_POINTS);
        Long from = p.time("from");
        Long to = p.time("to");
        RecordQueries.checkRange(from, to);
        return store.read(tx -> {
            SessionRow row = tx.session(id).orElseThrow(() -> new SessionNotFoundException(id));
            ObjectNode out = Json.mapper().createObjectNode();
            ArrayNode series = out.putArray("series");
            Optional<TimeRange> stored = tx.timeRange(row.sk(), RecordStream.METRICS);
            if (stored.isEmpty()) {
                out.putNull("from");
                out.putNull("to");
                out.put("truncated", false);
                return out;
            }
            // By default the whole session, so every chart of a session page shares one time axis.
            long sessionEnd = row.endedAt() != null ? row.endedAt() : stored.get().last();
            long start = from != null ? from : Math.min(row.createdAt(), stored.get().first());
            long end = to != null ? to - 1 : Math.max(sessionEnd, stored.get().last());
            if (end >= start && end - start + 1 <= 0) {
                throw new InvalidInputException("from and to are more than 292,000 years apart; give a narrower "
                        + "range", "from");
            }
            Map<String, MetricSeries> byKey = new TreeMap<>();
            long read = tx.forEachRecord(row.sk(), filter(name, start, end), MAX_RECORDS_READ, rec -> {
                JsonNode body = RecordBodies.decode(rec.body());
                MetricType type = typeOf(body);
                List<String> tags = MetricSeries.tags(body);
                String metric = body.path("name").asText();
                byKey.computeIfAbsent(MetricSeries.key(metric, type, tags), k -> {
                    MetricSeries s = new MetricSeries(metric, type, tags, start, end, points);
                    if (from != null) {
                        s.startsWithinSession();
                    }
                    if (from != null && type == MetricType.COUNTER && MetricSeries.cumulative(body)) {
                        // Running totals count from the last one before the range, not from zero.
                        tx.lastCumulativeBefore(row.sk(), metric, tags, start).ifPresent(v -> s.seed(tags, v));
                    }
                    return s;
                }).add(rec.ts(), body);
                return true;
            });
            byKey.values().forEach(s -> series.add(s.toJson()));
            out.put("from", start);
            out.put("to", end);
            out.put("truncated", read >= MAX_RECORDS_READ);
            return out;
        });
    }

    /**
     * {@code GET /api/metrics?product=&version=&name=&sessions=&points=}: the metric
     * {@code name} in each of the latest {@code sessions} sessions of a product version, each
     * over its own time since the session started (so runs overlay), with its summary, and its
     * aggregate over those sessions (per version too, when no {@code version} is given). Without
     * {@code name}: the metric names those sessions have.
     */
    public ObjectNode acrossSessions(QueryParams p) {
        String product = p.text("product", Limits.MAX_PRODUCT_CHARS);
        if (product == null) {
            throw new InvalidInputException("product is required", "product");
        }
        String version = p.text("version", Limits.MAX_PRODUCT_CHARS);
        String name = p.text("name", Limits.MAX_NAME_CHARS);
        int sessionCount = p.number("sessions", DEFAULT_SESSIONS, 1, MAX_SESSIONS);
        int points = p.number("points", DEFAULT_POINTS / 2, 1, MAX_POINTS);
        SessionFilter filter = new SessionFilter(product, version, null, false, false, null, null, null, null, false,
                null);
        return store.read(tx -> {
            List<SessionRow> sessions = tx.listSessions(filter, sessionCount);
            ObjectNode out = Json.mapper().createObjectNode();
            out.put("product", product);
            if (version != null) {
                out.put("version", version);
            }
            out.set("names", names(tx, sessions));
            if (name == null) {
                return out;
            }
            out.put("name", name);
            ArrayNode items = out.putArray("sessions");
            MetricAggregates aggregates = new MetricAggregates();
            long[] budget = {MAX_RECORDS_READ};
            for (SessionRow s : sessions) {
                SessionMetric metric = sessionMetric(tx, s, name, points, budget);
                if (metric != null) {
                    items.add(metric.toJson());
                    aggregates.add(s.version(), metric.series());
                }
            }
            out.set("aggregate", aggregates.all());
            if (version == null) {
                out.set("by_version", aggregates.byVersion(MAX_VERSIONS_COMPARED));
                out.put("by_version_truncated", aggregates.versions() > MAX_VERSIONS_COMPARED);
            }
            out.put("truncated", budget[0] <= 0);
            return out;
        });
    }

    /** One session's series of a metric, and where its time axis starts. */
    private record SessionMetric(SessionRow session, long start, MetricSeries series) {
        ObjectNode toJson() {
            ObjectNode item = series.toJson();
            item.put("session", session.id());
            item.put("status", session.status().wire());
            item.put("hung", session.hangCount() > 0);
            item.put("created_at", Timestamps.format(session.createdAt()));
            item.put("start", start);
            return item;
        }
    }

    /** One session's series of {@code name}, all tags merged, over time since the session's start. */
    private static SessionMetric sessionMetric(ReadTransaction tx, SessionRow s, String name, int points,
                                               long[] budget) {
        Optional<TimeRange> range = tx.timeRange(s.sk(), RecordStream.METRICS);
        if (range.isEmpty() || budget[0] <= 0) {
            return null;
        }
        // From the session's start, so a counter's first interval and the time axis mean the same in every run.
        long start = Math.min(s.createdAt(), range.get().first());
        long end = range.get().last();
        MetricSeries[] series = {null};
        budget[0] -= tx.forEachRecord(s.sk(), filter(name, start, end), budget[0], rec -> {
            JsonNode body = RecordBodies.decode(rec.body());
            if (series[0] == null) {
                series[0] = new MetricSeries(name, typeOf(body), List.of(), start, end, points);
            }
            if (typeOf(body) == series[0].type()) {
                series[0].add(rec.ts(), body);
            }
            return true;
        });
        return series[0] == null ? null : new SessionMetric(s, start, series[0]);
    }

    /** The metric names (with their type) of the latest of these sessions, read from their first records. */
    private static ArrayNode names(ReadTransaction tx, List<SessionRow> sessions) {
        Map<String, String> found = new LinkedHashMap<>();
        for (SessionRow s : sessions.subList(0, Math.min(sessions.size(), NAME_SAMPLE_SESSIONS))) {
            tx.forEachRecord(s.sk(), RecordFilter.of(Set.of(RecordKind.METRIC)), NAME_SAMPLE_RECORDS, rec -> {
                JsonNode body = RecordBodies.decode(rec.body());
                found.putIfAbsent(body.path("name").asText(), typeOf(body).wire());
                return true;
            });
        }
        ArrayNode out = Json.mapper().createArrayNode();
        new TreeMap<>(found).forEach((n, type) -> out.addObject().put("name", n).put("type", type));
        return out;
    }

    private static RecordFilter filter(String name, long from, long to) {
        return new RecordFilter(Set.of(RecordKind.METRIC), null, name, from, to + 1, false, null);
    }

    private static MetricType typeOf(JsonNode body) {
        MetricType t = MetricType.fromWire(body.path("type").asText(null));
        return t == null ? MetricType.GAUGE : t;
    }
}
