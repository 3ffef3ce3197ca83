package io.datacat.server.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.datacat.protocol.Json;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One metric aggregated over sessions, all of them and per version, fed one session's series
 * at a time, newest session first. The aggregate takes the type of the newest session's series;
 * series of another type are left out of every aggregate.
 */
final class MetricAggregates {
    private MetricAggregate all;
    /** Per version, in the order each version's newest session came. */
    private final Map<String, MetricAggregate> byVersion = new LinkedHashMap<>();

    void add(String version, MetricSeries series) {
        if (all == null) {
            all = new MetricAggregate(series.type());
        }
        if (all.add(series)) {
            byVersion.computeIfAbsent(version, v -> new MetricAggregate(all.type())).add(series);
        }
    }

    /** The aggregate over every session added, or null when none was. */
    JsonNode all() {
        return all == null ? NullNode.getInstance() : all.toJson();
    }

    /**
     * The first {@code max} versions by their number of sessions, most first (ties: the version
     * of the newest session first), each as {@code {"version", …its aggregate}}.
     */
    ArrayNode byVersion(int max) {
        ArrayNode out = Json.mapper().createArrayNode();
        byVersion.entrySet().stream()
                .sorted(Comparator.comparingInt((Map.Entry<String, MetricAggregate> e) -> e.getValue().sessions())
                        .reversed())
                .limit(max)
                .forEach(e -> out.addObject().put("version", e.getKey()).setAll(e.getValue().toJson()));
        return out;
    }

    int versions() {
        return byVersion.size();
    }
}
