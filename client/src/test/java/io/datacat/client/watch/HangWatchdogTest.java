package io.datacat.client.watch;

import io.datacat.client.send.Pipeline;
import io.datacat.client.transport.DaemonHandle;
import io.datacat.client.transport.SpoolSettings;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The watchdog's verdict for one session, driven with explicit times: a pipeline that is never
 * started (no sender, not in the live list) so the real watchdog thread never looks at it.
 */
class HangWatchdogTest {
    private static final long TIMEOUT_MS = 300;
    private static final long MS = 1_000_000L;

    private Pipeline pipeline;
    private long beat;

    @BeforeEach
    void heartbeatOnce() {
        pipeline = new Pipeline(UUID.randomUUID().toString(), new Pipeline.Settings("Game", "1.0",
                Collections.<String, String>emptyMap(), TIMEOUT_MS, true, 10 * MS, 1_000 * MS, 5_000 * MS),
                DaemonHandle.forSettings(null, "http://127.0.0.1:9", 9, SpoolSettings.DEFAULTS));
        pipeline.addFront(16, true, false);
        pipeline.caller().heartbeat(pipeline);
        beat = pipeline.lastBeat();
    }

    @Test
    void aThreadSilentLongerThanTheTimeoutIsHung() {
        HangWatchdog.check(pipeline, beat + (TIMEOUT_MS - 10) * MS, beat - 1_000 * MS);
        assertThat(pipeline.hungState()).as("not yet past the timeout").isFalse();

        HangWatchdog.check(pipeline, beat + (TIMEOUT_MS + 10) * MS, beat - 1_000 * MS);
        assertThat(pipeline.hungState()).isTrue();
    }

    @Test
    void aFreezeOfTheWholeProcessDoesNotCountAsSilence() {
        // Stopped (SIGSTOP) for 3 s right after the beat; the watchdog wakes up 10 ms after the thaw.
        long thawed = beat + 3_000 * MS;
        HangWatchdog.check(pipeline, thawed + 10 * MS, thawed);
        assertThat(pipeline.hungState()).as("the freeze is not the heartbeat thread's silence").isFalse();

        // Still silent a whole timeout after the thaw: that thread is stuck.
        HangWatchdog.check(pipeline, thawed + (TIMEOUT_MS + 10) * MS, thawed);
        assertThat(pipeline.hungState()).isTrue();
    }

    @Test
    void aFreezeBeforeTheLastBeatChangesNothing() {
        long thawed = beat - 2_000 * MS;
        HangWatchdog.check(pipeline, beat + (TIMEOUT_MS + 10) * MS, thawed);
        assertThat(pipeline.hungState()).isTrue();
    }
}
