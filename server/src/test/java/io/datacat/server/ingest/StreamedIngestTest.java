package io.datacat.server.ingest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.Batch;
import io.datacat.protocol.InvalidInputException;
import io.datacat.protocol.Json;
import io.datacat.server.store.SqliteStore;
import io.datacat.server.store.SqliteSync;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static io.datacat.server.testing.TestRecords.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code POST /api/ingest} bodies are read as token streams ({@link Ingestor#ingest(InputStream)}),
 * batches built in code as trees ({@link Ingestor#ingest(Batch)}): both must store the same.
 */
class StreamedIngestTest {
    private static final String SID = "sess-1";
    /** Every kind, defaults left to fill, other spellings, nulls, unknown fields, escapes and odd spacing. */
    private static final String BODY = """
            { "sessions": {"sess-1": {"client_dropped": 3, "last_heartbeat": 1764294000000100}},
              "records": [
              {"sid":"sess-1","seq":1,"kind":"session_start","ts":1764294000000001,"product":"Game","version":"1.2",
               "hostname":"h","machine_id":"m","pid":42,"client":"java/0.1.0","attrs":{"gpu":"x"}},
              { "seq" : 2 , "sid" : "sess-1", "kind":"event", "ts":1764294000000002, "name":"boss",
                "data":{"hp":1.50,"tags":["a","\\u00e9"],"deep":{"x":null}}, "extra": true },
              {"sid":"sess-1","seq":3,"kind":"event","ts":1764294000000003,"name":"warned","level":"WARN"},
              {"sid":"sess-1","seq":4,"kind":"exception","ts":1764294000000004,"name":null,
               "exception_type":"java.lang.IllegalStateException","exception_msg":"line1\\nline2",
               "stacktrace":["at a.B.c(B.java:1)"],"source_line":12},
              {"sid":"sess-1","seq":5,"kind":"metric","ts":1764294000000005,"name":"fps","value":59.5,"type":null},
              {"sid":"sess-1","seq":6,"kind":"metric","ts":1764294000000006,"name":"load","type":"histogram","value":2,
               "count":2,"sum":4,"min":1,"max":3,"buckets":[{"le":1,"count":1},{"le":"Infinity","count":1}]},
              {"sid":"sess-1","seq":7,"kind":"metric","ts":1764294000000007,"name":"kills","type":"counter","value":3},
              {"sid":"sess-1","seq":8,"kind":"state","ts":1764294000000008,"patch":{"level":1,"player":{"x":1,"y":2}}},
              {"sid":"sess-1","seq":9,"kind":"state","ts":1764294000000009,"patch":{"player":{"y":null},"map":"moon"}},
              {"sid":"sess-1","seq":10,"kind":"event","ts":1764294000000010,"name":"application_appears_hung"},
              {"sid":"sess-1","seq":11,"kind":"event","ts":1764294000000011,"name":"application_recovered","level":"info"},
              {"sid":"sess-1","src":"daemon","seq":1764294000000012,"kind":"hang","ts":1764294000000012,"thread":"main",
               "stack":["at x"],"timeout_ms":5000,"silent_ms":6000,"detected_by":"daemon"},
              {"sid":"sess-1","src":"daemon","seq":1764294000000013,"kind":"recovered","ts":1764294000000013,
               "duration_ms":900},
              {"sid":"sess-1","seq":12,"kind":"crash","ts":1764294000000014,"reason":"uncaught_exception",
               "message":"boom","detail":{"thread":"main"}},
              {"sid":"other","seq":1,"kind":"event","ts":1764294000000015,"name":"boss","level":"debug"},
              {"sid":"other","seq":2,"kind":"end","ts":1764294000000016,"reason":"quit"}
            ]}""";

    @TempDir
    Path dir;
    private SqliteStore trees;
    private SqliteStore streams;

    @BeforeEach
    void open() throws Exception {
        trees = SqliteStore.open(Files.createDirectories(dir.resolve("trees")), SqliteSync.NORMAL);
        streams = SqliteStore.open(Files.createDirectories(dir.resolve("streams")), SqliteSync.NORMAL);
    }

    @AfterEach
    void close() {
        trees.close();
        streams.close();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static InputStream stream(String s) {
        return new ByteArrayInputStream(bytes(s));
    }

    private static Ingestor ingestor(SqliteStore store) {
        return new Ingestor(store, () -> T0 + 1_000_000);
    }

    @Test
    void aBodyStoresWhatTheSameBatchAsATreeStores() throws Exception {
        IngestResult fromTrees = ingestor(trees).ingest(Batch.parse(bytes(BODY)));
        IngestResult fromStream = ingestor(streams).ingest(stream(BODY));

        assertThat(fromStream).isEqualTo(fromTrees).isEqualTo(new IngestResult(16, 0));
        String sessions = "SELECT * FROM sessions ORDER BY sk";
        assertThat(rows(streams, sessions)).isEqualTo(rows(trees, sessions));
        for (String table : List.of("state_values", "state_snapshots", "session_event_names")) {
            assertThat(rows(streams, "SELECT * FROM " + table)).as(table).isEqualTo(rows(trees, "SELECT * FROM " + table));
        }
        String records = "SELECT sk, src, seq, kind, stream, ts, name, level, value, body FROM records ORDER BY sk, src, seq";
        List<List<Object>> streamed = rows(streams, records);
        List<List<Object>> expected = rows(trees, records);
        assertThat(streamed).hasSize(16);
        for (int i = 0; i < expected.size(); i++) {
            // Bodies are kept as the producer wrote them (spacing, number spelling), so they compare as JSON.
            assertThat(streamed.get(i).subList(0, 9)).isEqualTo(expected.get(i).subList(0, 9));
            assertThat(json(streamed.get(i).get(9))).isEqualTo(json(expected.get(i).get(9)));
        }
        assertThat(rows(streams, "SELECT name, sk FROM session_event_names ORDER BY name, sk"))
                .containsExactly(List.of("application_appears_hung", 1L), List.of("application_recovered", 1L),
                        List.of("boss", 1L), List.of("boss", 2L), List.of("exception", 1L), List.of("warned", 1L));
    }

    @Test
    void aBodySentTwiceIsStoredOnce() throws Exception {
        Ingestor ingestor = ingestor(streams);
        ingestor.ingest(stream(BODY));
        List<List<Object>> sessions = rows(streams, "SELECT * FROM sessions ORDER BY sk");

        assertThat(ingestor.ingest(stream(BODY))).isEqualTo(new IngestResult(0, 16));
        assertThat(rows(streams, "SELECT count(*) FROM records")).containsExactly(List.of(16L));
        assertThat(rows(streams, "SELECT * FROM sessions ORDER BY sk")).isEqualTo(sessions);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "[1]",
        "{\"records\": [",
        "{\"records\": []} x",
        "{\"records\": [], \"records\": []}",
        "{\"records\": 5}",
        "{\"records\": [5]}",
        "{\"nothing\": 1}",
        "{\"records\":[{\"seq\":1,\"kind\":\"event\",\"ts\":1,\"name\":\"x\"}]}",
        "{\"records\":[{\"sid\":\"a b\",\"seq\":1,\"kind\":\"end\",\"ts\":1}]}",
        "{\"records\":[{\"sid\":\"x\",\"seq\":\"1\",\"kind\":\"end\",\"ts\":1}]}",
        "{\"records\":[{\"sid\":\"x\",\"seq\":1,\"kind\":\"party\",\"ts\":1}]}",
        "{\"records\":[{\"sid\":\"x\",\"seq\":1,\"kind\":\"end\",\"ts\":1,\"a\":1,\"a\":2}]}",
        "{\"records\":[{\"sid\":\"x\",\"seq\":1,\"kind\":\"event\",\"ts\":1,\"name\":\"x\",\"data\":{\"v\":1e999}}]}",
        "{\"records\":[{\"sid\":\"x\",\"seq\":1,\"kind\":\"metric\",\"ts\":1,\"name\":\"m\",\"value\":NaN}]}",
        "{\"records\":[{\"sid\":\"x\",\"seq\":1,\"kind\":\"end\",\"ts\":1},{\"sid\":\"x\",\"seq\":2,\"kind\":\"event\",\"ts\":1}]}",
        "{\"sessions\":{\"x\":{\"client_dropped\":-1}}}",
        "{\"sessions\":{\"x\":5}}",
    })
    void badInputIsRefusedAsATreeRefusesItAndStoresNothing(String body) throws Exception {
        InvalidInputException fromTree = refusal(() -> Batch.parse(bytes(body)));
        InvalidInputException fromStream = refusal(() -> ingestor(streams).ingest(stream(body)));

        assertThat(fromStream.field()).isEqualTo(fromTree.field());
        if (fromTree.getMessage().startsWith("malformed JSON")) {
            // Each parser words malformed JSON its own way (Jackson for trees, the scanner for batches).
            assertThat(fromStream.getMessage()).startsWith("malformed JSON");
        } else {
            assertThat(fromStream.getMessage()).isEqualTo(fromTree.getMessage());
        }
        assertThat(rows(streams, "SELECT count(*) FROM sessions")).containsExactly(List.of(0L));
        assertThat(rows(streams, "SELECT count(*) FROM records")).containsExactly(List.of(0L));
    }

    private static InvalidInputException refusal(Runnable call) {
        try {
            call.run();
        } catch (InvalidInputException e) {
            return e;
        }
        throw new AssertionError("accepted");
    }

    private static ObjectNode json(Object text) {
        return Json.parseObject(bytes((String) text));
    }

    private static List<List<Object>> rows(SqliteStore store, String sql) throws SQLException {
        Path db = Path.of(store.describe().substring("SQLite ".length()));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            ResultSetMetaData meta = rs.getMetaData();
            List<List<Object>> rows = new ArrayList<>();
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    Object v = rs.getObject(i);
                    row.add(v instanceof Integer n ? Long.valueOf(n) : v);
                }
                rows.add(row);
            }
            return rows;
        }
    }
}
