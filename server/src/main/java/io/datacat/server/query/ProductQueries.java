package io.datacat.server.query;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.Json;
import io.datacat.protocol.Timestamps;
import io.datacat.server.store.ProductVersionCounts;
import io.datacat.server.store.Store;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The products overview: every product and version with its sessions counted by status. */
public final class ProductQueries {
    /** Product versions listed at most. */
    public static final int MAX_VERSIONS = 10_000;

    private final Store store;

    public ProductQueries(Store store) {
        this.store = store;
    }

    /**
     * {@code GET /api/products}: products by name, each with its totals and its versions, most
     * recently seen first. The crash-free rate is 1 − crashed / finished, where finished means
     * ended or crashed: an {@code abnormal} session's fate is unknown, so it counts neither
     * way (the overview shows how many there are). Null while nothing has finished.
     */
    public ObjectNode overview() {
        List<ProductVersionCounts> rows = store.read(tx -> tx.productVersions(MAX_VERSIONS + 1));
        boolean truncated = rows.size() > MAX_VERSIONS;
        Map<String, List<ProductVersionCounts>> byProduct = new LinkedHashMap<>();
        rows.stream().limit(MAX_VERSIONS).sorted(Comparator.comparing(ProductVersionCounts::product)
                        .thenComparing(Comparator.comparingLong(ProductVersionCounts::lastSeen).reversed()))
                .forEach(r -> byProduct.computeIfAbsent(r.product(), k -> new ArrayList<>()).add(r));
        ObjectNode out = Json.mapper().createObjectNode();
        ArrayNode products = out.putArray("products");
        byProduct.forEach((product, versions) -> {
            ObjectNode p = counts(total(product, versions));
            p.remove("version");
            ArrayNode vs = p.putArray("versions");
            versions.forEach(v -> vs.add(counts(v)));
            products.add(p);
        });
        out.put("truncated", truncated);
        return out;
    }

    private static ProductVersionCounts total(String product, List<ProductVersionCounts> versions) {
        long sessions = 0;
        long active = 0;
        long ended = 0;
        long crashed = 0;
        long abnormal = 0;
        long hungEver = 0;
        long hungNow = 0;
        long lastSeen = 0;
        for (ProductVersionCounts v : versions) {
            sessions += v.sessions();
            active += v.active();
            ended += v.ended();
            crashed += v.crashed();
            abnormal += v.abnormal();
            hungEver += v.hungEver();
            hungNow += v.hungNow();
            lastSeen = Math.max(lastSeen, v.lastSeen());
        }
        return new ProductVersionCounts(product, null, sessions, active, ended, crashed, abnormal, hungEver, hungNow,
                lastSeen);
    }

    private static ObjectNode counts(ProductVersionCounts c) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("product", c.product());
        n.put("version", c.version());
        n.put("sessions", c.sessions());
        n.put("active", c.active());
        n.put("ended", c.ended());
        n.put("crashed", c.crashed());
        n.put("abnormal", c.abnormal());
        n.put("hung", c.hungEver());
        n.put("hung_now", c.hungNow());
        long finished = c.ended() + c.crashed();
        if (finished == 0) {
            n.putNull("crash_free_rate");
        } else {
            n.put("crash_free_rate", 1.0 - (double) c.crashed() / finished);
        }
        n.put("last_seen", Timestamps.format(c.lastSeen()));
        return n;
    }
}
