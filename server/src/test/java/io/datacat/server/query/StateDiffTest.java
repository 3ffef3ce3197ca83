package io.datacat.server.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.Json;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class StateDiffTest {
    private static ObjectNode obj(String json) {
        return Json.parseObject(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void listsAddedChangedAndRemovedKeysByPath() {
        JsonNode changes = StateDiff.changes(
                obj("{\"level\":1,\"player\":{\"hp\":100,\"name\":\"Ada\",\"inv\":[1,2]},\"boss\":\"orc\"}"),
                obj("{\"level\":2,\"player\":{\"name\":\"Ada\",\"inv\":[1,2,3],\"pos\":{\"x\":1}}}"));
        assertThat(changes.toString()).isEqualTo("["
                + "{\"path\":\"level\",\"change\":\"changed\",\"before\":1,\"after\":2},"
                + "{\"path\":\"player.inv\",\"change\":\"changed\",\"before\":[1,2],\"after\":[1,2,3]},"
                + "{\"path\":\"player.pos\",\"change\":\"added\",\"after\":{\"x\":1}},"
                + "{\"path\":\"player.hp\",\"change\":\"removed\",\"before\":100},"
                + "{\"path\":\"boss\",\"change\":\"removed\",\"before\":\"orc\"}]");
    }

    @Test
    void theSameNumberWrittenAnotherWayIsNoChange() {
        JsonNode changes = StateDiff.changes(obj("{\"x\":1,\"z\":0.0,\"v\":[1,{\"w\":2}],\"n\":1}"),
                obj("{\"x\":1.0,\"z\":-0.0,\"v\":[1.0,{\"w\":2.00}],\"n\":1.5}"));
        assertThat(changes).hasSize(1);
        assertThat(changes.get(0).get("path").asText()).isEqualTo("n");
    }

    @Test
    void aKeyWithADotIsEscapedInItsPath() {
        JsonNode changes = StateDiff.changes(obj("{\"a\":{}}"), obj("{\"a.b\":1,\"a\":{\"b\":2}}"));
        assertThat(changes).extracting(c -> c.get("path").asText()).containsExactly("a\\.b", "a.b");
    }

    @Test
    void anObjectReplacingAScalarIsOneChange() {
        JsonNode changes = StateDiff.changes(obj("{\"gpu\":\"none\"}"), obj("{\"gpu\":{\"name\":\"RTX\"}}"));
        assertThat(changes).hasSize(1);
        assertThat(changes.get(0).get("change").asText()).isEqualTo("changed");
    }

    @Test
    void equalStatesHaveNoChangesAndHugeOnesAreCut() {
        assertThat(StateDiff.changes(obj("{\"a\":{\"b\":1}}"), obj("{\"a\":{\"b\":1}}"))).isEmpty();
        ObjectNode big = Json.mapper().createObjectNode();
        for (int i = 0; i < StateDiff.MAX_CHANGES + 50; i++) {
            big.put("k" + i, i);
        }
        assertThat(StateDiff.changes(Json.mapper().createObjectNode(), big)).hasSize(StateDiff.MAX_CHANGES);
    }
}
