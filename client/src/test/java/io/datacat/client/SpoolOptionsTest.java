package io.datacat.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.datacat.protocol.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The spool options of a session reach the daemon it starts, in that daemon's DATACAT_CONFIG. */
class SpoolOptionsTest {

    @Test
    void spoolOptionsAreWrittenIntoTheStartedDaemonsConfig(@TempDir Path dir) throws Exception {
        File captured = dir.resolve("config.json").toFile();
        // A "daemon" that only keeps a copy of the config it was given.
        Session s = Datacat.createSession(SessionOptions.builder("ConfigTest", "1.0")
                .daemonCommand("sh", "-c", "cp \"$DATACAT_CONFIG\" '" + captured + "'")
                .spoolDir(dir.resolve("spool").toString()).spoolMaxBytes(1_048_576).spoolMaxAgeSeconds(3_600)
                .spoolFsync("always").asyncMode(true).crashReporting(false).build());
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> captured.length() > 0);
            JsonNode config = Json.parse(Files.readAllBytes(captured.toPath()));
            assertThat(config.get("spool_dir").asText()).isEqualTo(dir.resolve("spool").toString());
            assertThat(config.get("spool_max_bytes").asLong()).isEqualTo(1_048_576);
            assertThat(config.get("spool_max_age_seconds").asLong()).isEqualTo(3_600);
            assertThat(config.get("spool_fsync").asText()).isEqualTo("always");
        } finally {
            s.shutdown(Duration.ofMillis(100));
        }
    }

    @Test
    void defaultsLeaveTheDaemonsOwn(@TempDir Path dir) throws Exception {
        File captured = dir.resolve("config.json").toFile();
        Session s = Datacat.createSession(SessionOptions.builder("ConfigTest", "1.1")
                .daemonCommand("sh", "-c", "cp \"$DATACAT_CONFIG\" '" + captured + "'")
                .asyncMode(true).crashReporting(false).build());
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> captured.length() > 0);
            JsonNode config = Json.parse(Files.readAllBytes(captured.toPath()));
            assertThat(config.has("spool_max_bytes")).isFalse();
            assertThat(config.has("spool_max_age_seconds")).isFalse();
            assertThat(config.has("spool_fsync")).isFalse();
        } finally {
            s.shutdown(Duration.ofMillis(100));
        }
    }

    @Test
    void badSpoolOptionsAreRefusedWithTheFix() {
        SessionOptions.Builder b = SessionOptions.builder("ConfigTest", "1.0");
        assertThatThrownBy(() -> b.spoolMaxBytes(1000).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("spoolMaxBytes must be at least 65536");
        assertThatThrownBy(() -> b.spoolMaxBytes(0).spoolMaxAgeSeconds(-1).build())
                .hasMessageContaining("spoolMaxAgeSeconds must be positive");
        assertThatThrownBy(() -> b.spoolMaxAgeSeconds(0).spoolFsync("sometimes").build())
                .hasMessageContaining("spoolFsync must be \"always\", \"interval\" or \"never\"");
        assertThat(b.spoolFsync("never").spoolMaxBytes(65_536).build().spoolFsync()).isEqualTo("never");
    }
}
