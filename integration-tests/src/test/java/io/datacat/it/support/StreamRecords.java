package io.datacat.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.it.apps.Script;
import io.datacat.it.apps.StreamApp;
import io.datacat.protocol.DeepMerge;
import io.datacat.protocol.Json;

import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What the server must show for a {@link StreamApp} session that was delivered completely. */
public final class StreamRecords {
    private StreamRecords() {
    }

    /**
     * Checks that the server holds the stream's {@code records} calls, each exactly once and in
     * the order they were made, between its {@code session_start} and its {@code end}; that
     * the session is {@code ended} with nothing dropped or evicted; and that its state is every
     * patch merged in order.
     */
    public static void assertExactlyOnceInOrder(Api api, String id, int records) throws IOException {
        JsonNode session = api.sessionOrNull(id);
        assertThat(session).as("session %s on the server", id).isNotNull();
        assertThat(session.get("status").asText()).isEqualTo("ended");
        assertThat(session.get("client_dropped").asLong()).as("client_dropped").isZero();
        assertThat(session.get("spool_evicted").asLong()).as("spool_evicted").isZero();
        assertThat(session.at("/counts/records").asLong()).as("records stored").isEqualTo(records + 2L);

        List<JsonNode> all = api.records(id, null);
        assertThat(all).as("records listed").hasSize(records + 2);
        for (int k = 0; k < all.size(); k++) {
            JsonNode r = all.get(k);
            assertThat(r.get("src").asText()).as("record %d comes from the app", k).isEqualTo("app");
            assertThat(r.get("seq").asLong()).as("record %d in time order has seq %d", k, k + 1).isEqualTo(k + 1L);
        }
        assertThat(all.get(0).get("kind").asText()).isEqualTo("session_start");
        assertThat(all.get(all.size() - 1).get("kind").asText()).isEqualTo("end");

        ObjectNode expectedState = Json.mapper().createObjectNode();
        for (int i = 0; i < records; i++) {
            JsonNode r = all.get(i + 1);
            if (i % StreamApp.STATE_EVERY == 0) {
                ObjectNode patch = Json.mapper().valueToTree(Script.patch(i / StreamApp.STATE_EVERY));
                assertThat(r.get("kind").asText()).as("call %d is a state patch", i).isEqualTo("state");
                assertThat(r.get("patch")).as("patch of call %d", i).isEqualTo(patch);
                DeepMerge.apply(expectedState, patch);
            } else {
                assertThat(r.get("kind").asText()).as("call %d is an event", i).isEqualTo("event");
                assertThat(r.at("/data/i").asInt()).as("event of call %d", i).isEqualTo(i);
            }
        }
        assertThat(api.state(id)).as("final state").isEqualTo(expectedState);
    }
}
