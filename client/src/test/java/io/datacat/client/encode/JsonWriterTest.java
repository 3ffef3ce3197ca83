package io.datacat.client.encode;

import com.fasterxml.jackson.databind.JsonNode;
import io.datacat.protocol.Json;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class JsonWriterTest {

    private static JsonNode parse(JsonWriter w) {
        return Json.parse(w.toByteArray());
    }

    @Test
    void escapesEverythingJsonRequiresAndEncodesUtf8() {
        String tricky = "quote\" back\\ nl\n tab\t cr\r ctl\u0001 bell\u0007 é 中 emoji\uD83D\uDE00 </script>";
        JsonWriter w = new JsonWriter(16);
        w.beginObject().field("s", tricky).endObject();
        assertThat(parse(w).get("s").asText()).isEqualTo(tricky);
    }

    @Test
    void loneSurrogatesBecomeTheReplacementCharacter() {
        JsonWriter w = new JsonWriter(16);
        w.beginObject().field("s", "a\uD800b\uDC00c").endObject();
        String text = new String(w.toByteArray(), StandardCharsets.UTF_8);
        assertThat(parse(w).get("s").asText()).isEqualTo("a\uFFFDb\uFFFDc");
        assertThat(text).doesNotContain("\uD800");
    }

    @Test
    void numbersRoundTripAndNonFiniteBecomeStrings() {
        JsonWriter w = new JsonWriter(16);
        w.beginObject()
                .field("i", 60.0).field("f", 0.1).field("neg", -12345678901L).field("min", Long.MIN_VALUE)
                .field("big", 1e300).field("negzero", -0.0).field("nan", Double.NaN).field("inf", Double.NEGATIVE_INFINITY)
                .endObject();
        JsonNode n = parse(w);
        assertThat(n.get("i").asDouble()).isEqualTo(60.0);
        assertThat(n.get("f").asDouble()).isEqualTo(0.1);
        assertThat(n.get("neg").asLong()).isEqualTo(-12345678901L);
        assertThat(n.get("min").asLong()).isEqualTo(Long.MIN_VALUE);
        assertThat(n.get("big").asDouble()).isEqualTo(1e300);
        assertThat(n.get("nan").asText()).isEqualTo("NaN");
        assertThat(n.get("inf").asText()).isEqualTo("-Infinity");
    }

    @Test
    void nestedContainersGetTheirCommas() {
        JsonWriter w = new JsonWriter(16);
        w.beginObject().name("a").beginArray().value(1).value("x").beginObject().name("k").value(true).endObject()
                .beginArray().endArray().endArray().field("b", "c").endObject();
        assertThat(new String(w.toByteArray(), StandardCharsets.UTF_8))
                .isEqualTo("{\"a\":[1,\"x\",{\"k\":true},[]],\"b\":\"c\"}");
    }

    @Test
    void longStringsAreCutWithinTheLimitWithoutSplittingAPair() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            sb.append("\uD83D\uDE00");
        }
        JsonWriter w = new JsonWriter(16);
        w.beginObject().name("s");
        boolean cut = w.value(sb.toString(), 101);
        w.endObject();
        String s = parse(w).get("s").asText();
        assertThat(cut).isTrue();
        assertThat(s.length()).isLessThanOrEqualTo(101);
        assertThat(s).contains("truncated").contains("400 characters");
        assertThat(s).doesNotContain("\uFFFD");
    }

    @Test
    void truncateToUndoesAPartlyWrittenValue() {
        JsonWriter w = new JsonWriter(16);
        w.beginArray().value(1);
        int mark = w.length();
        int depth = w.depth();
        boolean comma = w.needsComma();
        w.beginObject().field("half", 1);
        w.truncateTo(mark, depth, comma);
        w.value(2).endArray();
        assertThat(new String(w.toByteArray(), StandardCharsets.UTF_8)).isEqualTo("[1,2]");
    }
}
