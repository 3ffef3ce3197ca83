package io.datacat.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading batch bodies as tokens: the bytes it hands over, duplicate keys, bounds and the batch's own rules. */
class BatchReaderTest {
    private static final BatchReader READER = new BatchReader(1000);
    private static final String COMMON = "\"sid\":\"s-1\",\"seq\":1,\"ts\":1764294000000000,";

    /** The normalised bytes of each record of a body, read through a stream (the daemon's way). */
    private static List<String> bytesOf(String body) {
        return bytesOf(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<String> bytesOf(InputStream body) {
        List<String> out = new ArrayList<>();
        READER.read(body, r -> {
            Bytes b = new Bytes(64);
            r.writeTo(b);
            out.add(b.toString());
        });
        return out;
    }

    private static String batch(String... records) {
        return "{\"records\":[" + String.join(",", records) + "]}";
    }

    private static InvalidInputException error(String body) {
        try {
            bytesOf(body);
        } catch (InvalidInputException e) {
            return e;
        }
        throw new AssertionError("accepted: " + body);
    }

    /** Both copies of each record ({@link RecordReader#writeTo} and {@link RecordReader#writeBodyTo}). */
    private static List<String> copiesOf(BatchReader reader, InputStream body) {
        List<String> out = new ArrayList<>();
        reader.read(body, r -> {
            Bytes whole = new Bytes(64);
            r.writeTo(whole);
            Bytes stored = new Bytes(64);
            r.writeBodyTo(stored);
            out.add(whole + " | " + stored);
        });
        return out;
    }

    @Test
    void aStreamThatTricklesInGivesTheSameCopiesAsABodyInMemory() {
        List<String> records = new ArrayList<>();
        for (int i = 1; i <= 3_000; i++) {
            String common = "\"sid\":\"s-" + (i % 7) + "\", \"seq\":" + i + ",\n \"ts\":" + (1_764_294_000_000_000L + i) + ",";
            records.add(switch (i % 5) {
                case 0 -> "{" + common + "\"kind\":\"event\",\"name\":\"spawn " + "é".repeat(i % 40) + "\",\"level\":null,"
                        + "\"data\":{\"note\":\"" + "x\\n\\u00e9😀".repeat(i % 60) + "\",\"n\":" + i + ".25}}";
                case 1 -> "{\"kind\":\"metric\"," + common + "\"src\":null,\"name\":\"frame\",\"value\":16.5,\"type\":\"histogram\","
                        + "\"count\":3,\"sum\":40,\"min\":1,\"max\":20,\"buckets\":[{\"le\":10,\"count\":2},{\"le\":\"Infinity\",\"count\":1}]}";
                case 2 -> "{" + common + "\"kind\":\"state\",\"patch\":{\"player\":{\"hp\":" + i + ",\"tags\":[\"a\",\"b\"]}}}";
                case 3 -> "{" + common + "\"kind\":\"exception\",\"message\":\"" + "m".repeat(i % 900) + "\",\"level\":\"WARN\"}";
                default -> "{ " + common + " \"kind\" : \"end\" , \"reason\" : \"quit\" }";
            });
        }
        byte[] body = batch(records.toArray(new String[0])).getBytes(StandardCharsets.UTF_8);
        BatchReader reader = new BatchReader(100_000);
        List<String> inMemory = new ArrayList<>();
        reader.read(body, r -> {
            Bytes whole = new Bytes(64);
            r.writeTo(whole);
            Bytes stored = new Bytes(64);
            r.writeBodyTo(stored);
            inMemory.add(whole + " | " + stored);
        });
        assertThat(inMemory).hasSize(3_000);
        // Reads of 1 to 97 bytes: records, strings and numbers straddle every refill of the buffer.
        InputStream trickle = new ByteArrayInputStream(body) {
            private int next = 1;

            @Override
            public synchronized int read(byte[] b, int off, int len) {
                next = next % 97 + 1;
                return super.read(b, off, Math.min(len, next));
            }
        };
        assertThat(copiesOf(reader, trickle)).isEqualTo(inMemory);
        // Normalised on the way: a null src, an infinite bound's spelling, a level's case, a null level.
        assertThat(inMemory.get(0)).contains("\"src\":\"app\"").contains("{\"le\":\"+Inf\",\"count\":1}");
        assertThat(inMemory.get(2)).contains("\"level\":\"warning\"");
        assertThat(inMemory.get(4)).contains("\"level\":\"info\"");
    }

    @Test
    void aRecordIsCopiedAsItCameWithOnlyTheDefaultsFilledIn() {
        String spaced = "{ " + COMMON + " \"kind\" : \"event\", \"name\":\"x\", \"level\":\"info\", \"data\":{\"é\":1.50} }";
        assertThat(bytesOf(batch(spaced))).containsExactly(
                spaced.substring(0, spaced.length() - 1) + ",\"src\":\"app\"}");
        String complete = "{" + COMMON + "\"src\":\"app\",\"kind\":\"end\"}";
        assertThat(bytesOf(batch(complete))).containsExactly(complete);
    }

    @Test
    void nullsAndOtherSpellingsAreReplacedWhereTheyStand() {
        assertThat(bytesOf(batch("{\"src\":null," + COMMON + "\"kind\":\"exception\",\"name\":null,\"level\":\"FATAL\",\"x\":1}")))
                .containsExactly("{\"src\":\"app\"," + COMMON
                        + "\"kind\":\"exception\",\"name\":\"exception\",\"level\":\"critical\",\"x\":1}");
        assertThat(bytesOf(batch("{" + COMMON + "\"kind\":\"metric\",\"name\":\"t\",\"value\":1,\"type\":\"timer\","
                + "\"buckets\":[{\"le\":1,\"count\":1},{\"le\":\"inf\",\"count\":0}]}")))
                .containsExactly("{" + COMMON + "\"kind\":\"metric\",\"name\":\"t\",\"value\":1,\"type\":\"timer\","
                        + "\"buckets\":[{\"le\":1,\"count\":1},{\"le\":\"+Inf\",\"count\":0}],\"src\":\"app\"}");
        assertThat(bytesOf(batch("{" + COMMON + "\"kind\":\"metric\",\"name\":\"g\",\"value\":1,"
                + "\"buckets\":[{\"le\":\"inf\"}]}")))
                .as("a gauge's buckets mean nothing and stay as they are")
                .containsExactly("{" + COMMON + "\"kind\":\"metric\",\"name\":\"g\",\"value\":1,"
                        + "\"buckets\":[{\"le\":\"inf\"}],\"src\":\"app\",\"type\":\"gauge\"}");
    }

    @Test
    void aStreamAndAnArrayGiveTheSameBytesEvenPastTheStreamsWindow() {
        List<String> records = new ArrayList<>();
        for (int i = 1; i <= 2000; i++) {
            records.add("{\"sid\":\"s-" + (i % 3) + "\",\"seq\":" + i + ",\"ts\":" + (1764294000000000L + i)
                    + ",\"kind\":\"event\",\"name\":\"e\",\"data\":{\"i\":" + i + "}}");
        }
        records.add("{" + COMMON + "\"kind\":\"event\",\"name\":\"big\",\"message\":\"" + "m".repeat(60_000) + "\"}");
        String body = batch(records.toArray(new String[0]));
        InputStream trickle = new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 777));
            }
        };
        List<String> fromArray = new ArrayList<>();
        new BatchReader(1_000_000).read(body.getBytes(StandardCharsets.UTF_8), r -> {
            Bytes b = new Bytes(64);
            r.writeTo(b);
            fromArray.add(b.toString());
        });
        List<String> fromStream = new ArrayList<>();
        new BatchReader(1_000_000).read(trickle, r -> {
            Bytes b = new Bytes(64);
            r.writeTo(b);
            fromStream.add(b.toString());
        });
        assertThat(fromStream).hasSize(2001).isEqualTo(fromArray);
        assertThat(fromStream.get(1999)).isEqualTo(records.get(1999).replace("}}", "},\"src\":\"app\",\"level\":\"info\"}"));
    }

    /** What {@link RecordReader#writeBodyTo} gives for each record of a body. */
    private static List<String> bodiesOf(String body) {
        List<String> out = new ArrayList<>();
        READER.read(body.getBytes(StandardCharsets.UTF_8), r -> {
            Bytes b = new Bytes(16);
            r.writeBodyTo(b);
            out.add(b.toString());
        });
        return out;
    }

    @Test
    void aBodyIsTheNormalisedRecordWithoutTheCommonFieldsWhereverTheyStand() {
        assertThat(bodiesOf(batch("{" + COMMON + "\"kind\":\"event\",\"name\":\"x\",\"level\":\"info\",\"data\":{\"é\":1.50}}")))
                .containsExactly("{\"name\":\"x\",\"level\":\"info\",\"data\":{\"é\":1.50}}");
        assertThat(bodiesOf(batch("{ \"name\" : \"x\" ,\n \"sid\":\"s-1\", \"data\":{\"sid\":1, \"ts\":2} , \"seq\":1,"
                + "\"src\":null,\"level\":\"WARN\",\"kind\":\"event\",\"ts\":1764294000000000 }")))
                .as("separators around the fields left out go; nested fields of the same names stay")
                .containsExactly("{\"name\" : \"x\",\"data\":{\"sid\":1, \"ts\":2},\"level\":\"warning\"}");
        assertThat(bodiesOf(batch("{" + COMMON + "\"kind\":\"end\"}", "{\"kind\":\"end\"," + COMMON + "\"src\":\"app\"}")))
                .as("nothing but common fields").containsExactly("{}", "{}");
        assertThat(bodiesOf(batch("{" + COMMON + "\"kind\":\"exception\"}", "{" + COMMON + "\"kind\":\"metric\",\"value\":2,"
                + "\"name\":\"m\",\"type\":\"timer\",\"buckets\":[{\"le\":\"Infinity\",\"count\":1}]}")))
                .as("defaults and spellings as writeTo fills them")
                .containsExactly("{\"name\":\"exception\",\"level\":\"error\"}",
                        "{\"value\":2,\"name\":\"m\",\"type\":\"timer\",\"buckets\":[{\"le\":\"+Inf\",\"count\":1}]}");
    }

    @Test
    void aBodyParsesAsTheNormalisedRecordWithoutItsCommonFields() throws Exception {
        String body = batch(
                "{" + COMMON + "\"kind\":\"event\",\"name\":\"a\",\"level\":null,\"labels\":[\"x\"],\"message\":\"\\u00e9\\n\"}",
                "{\"src\":\"daemon\",\"kind\":\"crash\"," + COMMON + "\"reason\":\"killed\",\"detail\":{\"k\":[1,{\"z\":null}]}}",
                "{\"kind\":\"state\",\"patch\":{\"a\":{\"b\":null}}," + COMMON + "\"unknown\":true}",
                "{\"kind\":\"metric\",\"type\":null,\"name\":\"fps\",\"value\":-1e-3," + COMMON.substring(0, COMMON.length() - 1) + "}");
        List<String> records = new ArrayList<>();
        READER.read(body.getBytes(StandardCharsets.UTF_8), r -> {
            Bytes b = new Bytes(16);
            r.writeTo(b);
            records.add(b.toString());
        });
        List<String> bodies = bodiesOf(body);
        assertThat(bodies).hasSize(4);
        for (int i = 0; i < 4; i++) {
            ObjectNode expected = Json.parseObject(records.get(i).getBytes(StandardCharsets.UTF_8));
            expected.remove(List.of("sid", "src", "seq", "kind", "ts"));
            assertThat(Json.parseObject(bodies.get(i).getBytes(StandardCharsets.UTF_8))).isEqualTo(expected);
        }
    }

    @Test
    void theReaderGivesTheColumnsAStoreKeepsNormalised() {
        List<Object[]> seen = new ArrayList<>();
        READER.read(batch("{" + COMMON + "\"kind\":\"event\",\"name\":\"boss\",\"level\":\"WARN\"}",
                "{" + COMMON + "\"kind\":\"exception\",\"name\":null}",
                "{" + COMMON + "\"kind\":\"metric\",\"name\":\"fps\",\"value\":59.5}",
                "{" + COMMON + "\"kind\":\"end\",\"name\":\"not a name here\"}").getBytes(StandardCharsets.UTF_8),
                r -> seen.add(new Object[] {r.name(), r.level(), r.kind() == RecordKind.METRIC ? r.value() : null}));
        assertThat(seen).containsExactly(new Object[] {"boss", Level.WARNING, null},
                new Object[] {"exception", Level.ERROR, null}, new Object[] {"fps", null, 59.5},
                new Object[] {null, null, null});
    }

    @Test
    void duplicateKeysAreRefusedAtEveryLevel() {
        assertThat(error(batch("{" + COMMON + "\"kind\":\"event\",\"name\":\"x\",\"name\":\"y\"}")).getMessage())
                .startsWith("malformed JSON").contains("Duplicate field 'name'");
        assertThat(error(batch("{" + COMMON + "\"kind\":\"end\",\"extra\":1,\"extra\":2}")).getMessage())
                .contains("Duplicate field 'extra'");
        assertThat(error(batch("{" + COMMON + "\"kind\":\"event\",\"name\":\"x\",\"data\":{\"a\":{\"b\":1,\"b\":2}}}"))
                .getMessage()).contains("Duplicate field 'b'");
        assertThat(error(batch("{" + COMMON + "\"kind\":\"metric\",\"name\":\"t\",\"value\":1,\"type\":\"timer\","
                + "\"buckets\":[{\"le\":1,\"le\":2,\"count\":1}]}")).getMessage()).contains("Duplicate field 'le'");
        assertThat(error("{\"records\":[],\"records\":[]}").getMessage()).contains("Duplicate field 'records'");
        assertThat(error("{\"sessions\":{\"a\":{},\"a\":{}}}").getMessage()).contains("Duplicate field 'a'");
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 16, 17, 40})
    void duplicatesAreFoundInObjectsOfAnySizeAndSameNamesElsewhereAreFine(int keys) {
        StringBuilder unique = new StringBuilder("{");
        for (int k = 0; k < keys; k++) {
            unique.append(k > 0 ? "," : "").append("\"k").append(k).append("\":{\"k").append(k).append("\":1}");
        }
        String data = unique + "}";
        String withDuplicate = unique + ",\"k" + (keys - 1) + "\":2}";
        assertThat(bytesOf(batch("{" + COMMON + "\"kind\":\"event\",\"name\":\"x\",\"data\":" + data + "}"))).hasSize(1);
        assertThat(bytesOf(batch("{" + COMMON + "\"kind\":\"event\",\"name\":\"x\",\"data\":" + data + ",\"more\":"
                + data + "}"))).hasSize(1);
        assertThat(error(batch("{" + COMMON + "\"kind\":\"event\",\"name\":\"x\",\"data\":" + withDuplicate + "}"))
                .getMessage()).contains("Duplicate field 'k" + (keys - 1) + "'");
    }

    @Test
    void aStringOverTheBoundIsRefusedWhereverItIs() {
        String ok = batch("{" + COMMON + "\"kind\":\"event\",\"name\":\"x\",\"data\":{\"v\":\"" + "é".repeat(1000) + "\"}}");
        assertThat(bytesOf(ok)).as("1,000 characters in 2,000 bytes are within a bound of 1,000").hasSize(1);
        String over = batch("{" + COMMON + "\"kind\":\"event\",\"name\":\"x\",\"data\":{\"v\":\"" + "x".repeat(1001) + "\"}}");
        assertThat(error(over).getMessage()).startsWith("JSON exceeds a size limit")
                .contains("exceeds the maximum allowed (1000");
    }

    @Test
    void numbersMustBeFiniteWhereverTheyAre() {
        assertThat(bytesOf(batch("{" + COMMON + "\"kind\":\"event\",\"name\":\"x\",\"data\":{\"a\":[1.5,1e308,-2E-300]}}")))
                .hasSize(1);
        InvalidInputException e = error(batch("{" + COMMON + "\"kind\":\"event\",\"name\":\"x\",\"data\":{\"a\":[1.5,1E309]}}"));
        assertThat(e.getMessage()).contains("not finite");
        assertThat(e.field()).isEqualTo("records[0]");
        assertThat(error(batch("{" + COMMON + "\"kind\":\"end\",\"x\":NaN}")).getMessage()).contains("NaN");
    }

    @Test
    void everyRecordsSessionIsChecked() {
        String good = "{\"sid\":\"a\",\"seq\":1,\"ts\":1,\"kind\":\"end\"}";
        assertThat(error(batch(good, good.replace("\"a\"", "\"b d\""))).field()).isEqualTo("records[1].sid");
    }

    @Test
    void theBatchItselfFollowsTheRules() {
        assertThat(error("").getMessage()).contains("empty");
        assertThat(error("[]").getMessage()).contains("must be a JSON object");
        assertThat(error("{\"records\":[]} {}").getMessage()).contains("more data after");
        assertThat(error("{\"records\":5}").getMessage()).contains("\"records\" must be an array, got a number");
        assertThat(error("{\"records\":[5]}").field()).isEqualTo("records[0]");
        assertThat(error("{\"other\":1}").getMessage()).contains("a batch needs");
        assertThat(error("{\"sessions\":[1]}").getMessage()).contains("\"sessions\" must be an object");
        assertThatThrownBy(() -> READER.read("{\"records\":[]}".getBytes(StandardCharsets.UTF_16), r -> { }))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("UTF-8");
        StringBuilder many = new StringBuilder("{\"records\":[");
        for (int i = 0; i <= Limits.MAX_RECORDS_PER_BATCH; i++) {
            many.append(i > 0 ? "," : "").append("{\"sid\":\"a\",\"seq\":").append(i + 1).append(",\"ts\":1,\"kind\":\"end\"}");
        }
        assertThat(error(many + "]}").getMessage()).contains("at most 20000 records");
    }

    @Test
    void sessionsAreReadWhereverTheyStandAndJudgedAfterTheRecords() {
        List<BatchReader.SessionEntry> s = READER.read(("{\"sessions\":{\"a\":{\"client_dropped\":3,\"hang_paused\":true,"
                + "\"other\":[1]},\"b\":{\"last_heartbeat\":null}},\"records\":[]}").getBytes(StandardCharsets.UTF_8), r -> { });
        assertThat(s).containsExactly(new BatchReader.SessionEntry("a", new SessionCounters(3, 0, 0), true),
                new BatchReader.SessionEntry("b", SessionCounters.NONE, null));
        InvalidInputException e = error("{\"sessions\":{\"a\":{\"spool_evicted\":-1}},\"records\":[{\"sid\":\"a\"}]}");
        assertThat(e.field()).as("the record's error comes first").isEqualTo("records[0].seq");
        assertThat(error("{\"sessions\":{\"a\":{\"spool_evicted\":-1,\"hang_paused\":\"yes\"}}}").field())
                .isEqualTo("sessions.a.spool_evicted");
        assertThat(error("{\"sessions\":{\"a\":{\"hang_paused\":\"yes\"}}}").getMessage())
                .isEqualTo("sessions.a.hang_paused must be true or false");
        assertThat(error("{\"sessions\":{\"a b\":{}}}").field()).isEqualTo("sessions.a b");
    }
}
