package io.datacat.server.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.DeepMerge;
import io.datacat.protocol.InvalidInputException;
import io.datacat.protocol.Json;
import io.datacat.server.ingest.Ingestor;
import io.datacat.server.store.Store;
import io.datacat.server.testing.TestStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.datacat.server.testing.TestRecords.T0;
import static io.datacat.server.testing.TestRecords.batch;
import static io.datacat.server.testing.TestRecords.crash;
import static io.datacat.server.testing.TestRecords.daemon;
import static io.datacat.server.testing.TestRecords.end;
import static io.datacat.server.testing.TestRecords.event;
import static io.datacat.server.testing.TestRecords.record;
import static io.datacat.server.testing.TestRecords.start;
import static io.datacat.server.testing.TestRecords.state;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The query classes behind the web UI, called directly on a real store filled through ingest. */
@ParameterizedClass(name = "store: {0}")
@EnumSource(TestStores.Kind.class)
class UiQueriesTest {
    @Parameter
    TestStores.Kind kind;
    private TestStores.Location location;
    @TempDir
    Path dir;
    private Store store;
    private Ingestor ingestor;
    private SessionQueries sessions;
    private RecordQueries records;
    private ProductQueries products;

    @BeforeEach
    void open() {
        location = TestStores.location(kind, dir);
        store = location.open();
        ingestor = new Ingestor(store);
        sessions = new SessionQueries(store);
        records = new RecordQueries(store);
        products = new ProductQueries(store);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static QueryParams params(String... kv) {
        Map<String, List<String>> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], List.of(kv[i + 1]));
        }
        return QueryParams.of(m);
    }

    private List<String> ids(ObjectNode list) {
        List<String> out = new ArrayList<>();
        list.get("sessions").forEach(s -> out.add(s.get("id").asText()));
        return out;
    }

    /** A session of product P created at T0 + n seconds. */
    private void session(String sid, String version, int n, ObjectNode... more) {
        List<ObjectNode> rs = new ArrayList<>();
        rs.add(start(sid, 1, "P", version).put("ts", T0 + n * 1_000_000L));
        rs.addAll(List.of(more));
        ingestor.ingest(batch(rs.toArray(new ObjectNode[0])));
    }

    @Test
    void theOverviewCountsByStatusAndLeavesAbnormalOutOfTheCrashFreeRate() {
        session("a", "1.0", 1, end("a", 2));
        session("b", "1.0", 2, end("b", 2));
        session("c", "1.0", 3, crash("c", 2, "killed"));
        session("d", "1.0", 4, record("d", 2, "hang").put("thread", "main"), record("d", 3, "recovered"));
        session("e", "2.0", 5);
        store.write(tx -> tx.markSilentSessionsAbnormal(Long.MAX_VALUE)); // d and e fall silent

        JsonNode p = products.overview().get("products").get(0);
        assertThat(p.get("product").asText()).isEqualTo("P");
        assertThat(p.get("sessions").asLong()).isEqualTo(5);
        JsonNode v1 = p.get("versions").get(0).get("version").asText().equals("1.0") ? p.get("versions").get(0)
                : p.get("versions").get(1);
        assertThat(v1.get("ended").asLong()).isEqualTo(2);
        assertThat(v1.get("crashed").asLong()).isEqualTo(1);
        assertThat(v1.get("abnormal").asLong()).isEqualTo(1);
        assertThat(v1.get("hung").asLong()).isEqualTo(1);
        assertThat(v1.get("hung_now").asLong()).isZero();
        assertThat(v1.get("crash_free_rate").asDouble()).isEqualTo(1 - 1 / 3.0);
        JsonNode v2 = p.get("versions").get(0) == v1 ? p.get("versions").get(1) : p.get("versions").get(0);
        assertThat(v2.get("crash_free_rate").isNull()).as("nothing finished").isTrue();
    }

    @Test
    void theStateFilterMatchesTheCurrentValueOrAnyEarlierOne() {
        session("s1", "1", 1, state("s1", 2, "{\"level\":3,\"player\":{\"class\":\"mage\"}}"),
                state("s1", 3, "{\"level\":4}"));
        session("s2", "1", 2, state("s2", 2, "{\"level\":3.0}"));
        session("s3", "1", 3, state("s3", 2, "{\"level\":\"3\",\"player\":{\"class\":null}}"));
        session("s4", "1", 4, state("s4", 2, "{\"flag\":true}"));

        assertThat(ids(sessions.list(params("state_key", "level", "state_value", "3")))).containsExactly("s3", "s2");
        assertThat(ids(sessions.list(params("state_key", "level", "state_value", "3", "state_scope", "ever"))))
                .containsExactly("s3", "s2", "s1");
        assertThat(ids(sessions.list(params("state_key", "player.class", "state_value", "mage")))).containsExactly("s1");
        assertThat(ids(sessions.list(params("state_key", "flag", "state_value", "true")))).containsExactly("s4");
        assertThat(ids(sessions.list(params("state_key", "level", "state_value", "3.00", "state_scope", "ever",
                "sort", "oldest")))).containsExactly("s1", "s2", "s3");
        assertThatThrownBy(() -> sessions.list(params("state_key", "level")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("give both");
        assertThatThrownBy(() -> sessions.list(params("state_key", "a..b", "state_value", "1")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("path of keys");
    }

    @Test
    void aKeyWithADotHasAPathOfItsOwn() {
        session("dotted", "1", 1, state("dotted", 2, "{\"a.b\":1,\"a\":{\"b\":2},\"c\\\\d\":3}"));
        for (String scope : new String[] {"now", "ever"}) {
            assertThat(ids(sessions.list(params("state_key", "a\\.b", "state_value", "1", "state_scope", scope))))
                    .as(scope).containsExactly("dotted");
            assertThat(ids(sessions.list(params("state_key", "a.b", "state_value", "2", "state_scope", scope))))
                    .as(scope).containsExactly("dotted");
            assertThat(ids(sessions.list(params("state_key", "a.b", "state_value", "1", "state_scope", scope))))
                    .as(scope).isEmpty();
        }
        assertThatThrownBy(() -> sessions.list(params("state_key", "a\\b", "state_value", "1")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("path of keys");
    }

    @Test
    void aKeyWithAQuoteOrABackslashCanBeFilteredOn() {
        session("odd", "1", 1, state("odd", 2, "{\"c\\\\d\":3,\"say \\\"hi\\\"\":{\"to\":\"you\"},\"a\":{\"b\\\"\":true}}"));
        session("plain", "1", 2, state("plain", 2, "{\"cd\":3,\"to\":\"you\",\"a\":{\"b\":true}}"));
        // A string that reads as JSON where "odd" holds an object: it has no keys to look into.
        session("flat", "1", 3, state("flat", 2, "{\"c\\\\d\":3.0,\"say \\\"hi\\\"\":\"{\\\"to\\\":\\\"you\\\"}\"}"));
        for (String scope : new String[] {"now", "ever"}) {
            assertThat(ids(sessions.list(params("state_key", "c\\\\d", "state_value", "3", "state_scope", scope))))
                    .as(scope + ": 3 and 3.0").containsExactly("flat", "odd");
            assertThat(ids(sessions.list(params("state_key", "say \"hi\".to", "state_value", "you",
                    "state_scope", scope)))).as(scope).containsExactly("odd");
            assertThat(ids(sessions.list(params("state_key", "a.b\"", "state_value", "true", "state_scope", scope))))
                    .as(scope).containsExactly("odd");
            assertThat(ids(sessions.list(params("state_key", "c\\\\d", "state_value", "4", "state_scope", scope))))
                    .as(scope).isEmpty();
        }
    }

    @Test
    void freeTextFindsEventNamesAndMessagesPageByPage() {
        for (int i = 1; i <= 5; i++) {
            session("t" + i, "1", i, event("t" + i, 2, i % 2 == 0 ? "boss_spawned" : "tick", "info")
                    .put("message", i == 5 ? "100% of the TROLL_king" : "nothing"));
        }
        assertThat(ids(sessions.list(params("q", "BOSS")))).containsExactly("t4", "t2");
        assertThat(ids(sessions.list(params("q", "troll_k")))).containsExactly("t5");
        assertThat(ids(sessions.list(params("q", "0%")))).containsExactly("t5");
        assertThat(ids(sessions.list(params("q", "_")))).containsExactly("t5", "t4", "t2");
        ObjectNode first = sessions.list(params("q", "boss", "limit", "1"));
        assertThat(ids(first)).containsExactly("t4");
        assertThat(first.get("partial").asBoolean()).isFalse();
        ObjectNode second = sessions.list(params("q", "boss", "limit", "1", "cursor", first.get("next_cursor").asText()));
        assertThat(ids(second)).containsExactly("t2");
    }

    /** As server/README.md says: SQLite's LIKE folds the case of ASCII letters only. */
    @Test
    void freeTextFoldsTheCaseOfAsciiLettersOnly() {
        session("u1", "1", 1, event("u1", 2, "Ärger_im_Café", "info"));
        assertThat(ids(sessions.list(params("q", "Ärger_IM_Café")))).containsExactly("u1");
        assertThat(ids(sessions.list(params("q", "ärger_im_café")))).as("Ä is not ä").isEmpty();
        assertThat(ids(sessions.list(params("q", "Ärger_im_CAFÉ")))).as("é is not É").isEmpty();
    }

    @Test
    void theTimelineMergesEveryStreamInTimeOrderAndPagesThroughIt() {
        List<ObjectNode> rs = new ArrayList<>();
        for (int i = 2; i <= 40; i++) {
            ObjectNode r = switch (i % 4) {
                case 0 -> event("tl", i, "e" + i, i == 20 ? "error" : "info");
                case 1 -> state("tl", i, "{\"i\":" + i + "}");
                case 2 -> record("tl", i, "metric").put("name", "fps").put("value", i);
                default -> record("tl", i, "hang").put("thread", "main");
            };
            rs.add(r.put("ts", T0 + i * 1_000));
        }
        session("tl", "1", 0, rs.toArray(new ObjectNode[0]));

        List<Long> seqs = new ArrayList<>();
        String cursor = null;
        do {
            ObjectNode page = cursor == null ? records.timeline("tl", params("limit", "7"))
                    : records.timeline("tl", params("limit", "7", "cursor", cursor));
            page.get("records").forEach(r -> seqs.add(r.get("seq").asLong()));
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
        } while (cursor != null);
        List<Long> expected = new ArrayList<>(List.of(1L));
        for (long i = 2; i <= 40; i++) {
            if (i % 4 != 2) {
                expected.add(i);
            }
        }
        assertThat(seqs).as("everything but metrics, in time order, once").isEqualTo(expected);

        ObjectNode window = records.timeline("tl", params("from", String.valueOf(T0 + 10_000),
                "to", String.valueOf(T0 + 14_000)));
        assertThat(window.get("records")).extracting(r -> r.get("seq").asLong()).containsExactly(11L, 12L, 13L);
        ObjectNode notable = records.timeline("tl", params("kind", "event,exception", "notable", "true"));
        assertThat(notable.get("records")).extracting(r -> r.get("seq").asLong()).containsExactly(20L);
        ObjectNode errors = records.events("tl", params("level", "error,critical"));
        assertThat(errors.get("events")).extracting(r -> r.get("seq").asLong()).containsExactly(20L);
    }

    /**
     * The session page's strip and hang cards: a long session's last warnings, hangs and crash,
     * however many came before them, each stream's records merged without leaving any out.
     */
    @Test
    void theLatestTimelineRecordsAreTheSessionsLastOnesInTimeOrder() {
        List<ObjectNode> rs = new ArrayList<>();
        for (int i = 2; i <= 1_500; i++) {
            rs.add(event("long", i, "slow_frame", "warning").put("ts", T0 + i * 1_000));
        }
        rs.add(record("long", 1_501, "hang").put("thread", "main").put("ts", T0 + 1_440_500));
        rs.add(record("long", 1_502, "recovered").put("ts", T0 + 1_450_500));
        rs.add(crash("long", 1_503, "killed").put("ts", T0 + 1_600_000));
        session("long", "1", 0, rs.toArray(new ObjectNode[0]));
        String strip = "session_start,end,crash,hang,recovered,event,exception";

        ObjectNode first = records.timeline("long", params("kind", strip, "notable", "true", "limit", "1000"));
        assertThat(first.get("records")).extracting(r -> r.get("kind").asText()).doesNotContain("hang", "crash");

        ObjectNode latest = records.timeline("long", params("kind", strip, "notable", "true", "limit", "100",
                "latest", "true"));
        List<Long> seqs = new ArrayList<>();
        latest.get("records").forEach(r -> seqs.add(r.get("seq").asLong()));
        List<Long> byTime = new ArrayList<>(rs.stream().sorted(Comparator.comparingLong(r -> r.get("ts").asLong()))
                .map(r -> r.get("seq").asLong()).toList());
        List<Long> expected = byTime.subList(byTime.size() - 100, byTime.size());
        assertThat(seqs).as("the last 100, in time order").isEqualTo(expected);
        assertThat(latest.get("earlier").asBoolean()).isTrue();
        assertThat(latest.get("next_cursor").isNull()).isTrue();

        ObjectNode all = records.timeline("long", params("kind", "hang,recovered", "latest", "true", "limit", "10"));
        assertThat(all.get("records")).extracting(r -> r.get("seq").asLong()).containsExactly(1_501L, 1_502L);
        assertThat(all.get("earlier").asBoolean()).isFalse();
        assertThatThrownBy(() -> records.timeline("long", params("latest", "true", "cursor", "x")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("no cursor");
    }

    @Test
    void aTimelinePageCutShortByTheSizeBudgetLeavesNoRecordOfAnyStreamBehind() {
        // Nine 1 MB patches fill the state stream's page budget; the tenth is read on the next page.
        String megabyte = "x".repeat(1_000_000);
        List<ObjectNode> rs = new ArrayList<>();
        for (int i = 2; i <= 11; i++) {
            rs.add(state("big", i, "{\"blob\":\"" + megabyte + "\"}").put("ts", T0 + 8 + i));
        }
        for (int i = 12; i <= 61; i++) {
            rs.add(event("big", i, "e" + i, "info").put("ts", T0 + 88 + i));
        }
        session("big", "1", 0, rs.toArray(new ObjectNode[0]));

        List<Long> seqs = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        String cursor = null;
        do {
            ObjectNode page = cursor == null ? records.timeline("big", params())
                    : records.timeline("big", params("cursor", cursor));
            page.get("records").forEach(r -> seqs.add(r.get("seq").asLong()));
            pageSizes.add(page.get("records").size());
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
        } while (cursor != null);

        List<Long> expected = new ArrayList<>();
        for (long i = 1; i <= 61; i++) {
            expected.add(i);
        }
        assertThat(seqs).as("every record once, in time order").isEqualTo(expected);
        assertThat(pageSizes).as("the first page stops at the last patch it could hold").containsExactly(10, 51);
    }

    @Test
    void theStateAtAnyUpdateMatchesAFullReplayAcrossSnapshots() {
        int patches = 300; // snapshots after the 128th and the 256th
        List<ObjectNode> rs = new ArrayList<>();
        ObjectNode[] expected = new ObjectNode[patches + 2];
        ObjectNode replay = Json.mapper().createObjectNode();
        for (int i = 2; i < patches + 2; i++) {
            String patch = "{\"frame\":" + i + ",\"player\":{\"hp\":" + (100 - i % 50) + (i % 7 == 0
                    ? ",\"buff\":null" : ",\"buff\":\"haste\"") + "}}";
            DeepMerge.apply(replay, Json.parseObject(patch.getBytes(StandardCharsets.UTF_8)));
            expected[i] = replay.deepCopy();
            rs.add(state("big", i, patch));
        }
        session("big", "1", 0, rs.toArray(new ObjectNode[0]));

        for (int seq : new int[] {2, 129, 130, 200, 257, 258, patches + 1}) {
            ObjectNode at = records.stateAt("big", params("src", "app", "seq", String.valueOf(seq)));
            assertThat(at.get("state")).as("state after patch %d", seq).isEqualTo(expected[seq]);
            assertThat(at.at("/update/seq").asLong()).isEqualTo(seq);
        }
        ObjectNode at = records.stateAt("big", params("src", "app", "seq", "14"));
        assertThat(at.get("changes").toString()).contains("\"path\":\"player.buff\",\"change\":\"removed\"");

        // A moment: the last update at or before it.
        ObjectNode moment = records.stateAt("big", params("ts", String.valueOf(T0 + 150)));
        assertThat(moment.at("/update/seq").asLong()).isEqualTo(150);
        assertThat(records.stateAt("big", params("ts", String.valueOf(T0 - 5))).get("update").isNull()).isTrue();
        assertThatThrownBy(() -> records.stateAt("big", params("src", "app", "seq", "1")))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void snapshotsAreRebuiltWhenAPatchArrivesOutOfOrder() {
        List<ObjectNode> later = new ArrayList<>();
        for (int i = 1; i <= 200; i++) {
            later.add(daemon(state("ooo", 1_000 + i, "{\"d\":" + i + "}")));
        }
        session("ooo", "1", 0, later.toArray(new ObjectNode[0]));
        // app patches sort before every daemon patch: the state and its snapshots are rebuilt.
        ingestor.ingest(batch(state("ooo", 2, "{\"a\":1,\"d\":0}")));

        ObjectNode at = records.stateAt("ooo", params("src", "daemon", "seq", "1150"));
        assertThat(at.get("state").toString()).isEqualTo("{\"a\":1,\"d\":150}");
        ObjectNode first = records.stateAt("ooo", params("src", "app", "seq", "2"));
        assertThat(first.get("state").toString()).isEqualTo("{\"a\":1,\"d\":0}");
    }
}
