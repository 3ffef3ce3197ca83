package io.datacat.daemon;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.datacat.daemon.Lifecycle.Decision.EXIT_DELIVERED;
import static io.datacat.daemon.Lifecycle.Decision.EXIT_UNDELIVERED;
import static io.datacat.daemon.Lifecycle.Decision.STAY;
import static org.assertj.core.api.Assertions.assertThat;

class LifecycleTest {
    private static final long S = 1_000_000_000L;
    private final Lifecycle lifecycle = new Lifecycle(Duration.ofSeconds(2), Duration.ofSeconds(600));

    private static Lifecycle.Facts withParent(boolean parentAlive, boolean allFinal, boolean delivered) {
        return new Lifecycle.Facts(true, parentAlive, true, allFinal, delivered);
    }

    private static Lifecycle.Facts withoutParent(boolean anySession, boolean allFinal, boolean delivered) {
        return new Lifecycle.Facts(false, true, anySession, allFinal, delivered);
    }

    @Test
    void withAParentItStaysWhileTheParentLivesAndExitsOnceEverythingIsDelivered() {
        assertThat(lifecycle.decide(withParent(true, true, true), 0)).isEqualTo(STAY);
        assertThat(lifecycle.decide(withParent(false, false, true), S)).as("a crash report is pending").isEqualTo(STAY);
        assertThat(lifecycle.decide(withParent(false, true, false), 2 * S)).isEqualTo(STAY);
        assertThat(lifecycle.decide(withParent(false, true, true), 3 * S)).isEqualTo(EXIT_DELIVERED);
    }

    @Test
    void withoutAParentItWaitsTwoQuietSecondsAfterTheLastSession() {
        assertThat(lifecycle.decide(withoutParent(false, true, true), 0)).as("started by hand").isEqualTo(STAY);
        assertThat(lifecycle.decide(withoutParent(true, true, true), S)).isEqualTo(STAY);
        assertThat(lifecycle.decide(withoutParent(true, false, true), 2 * S)).as("a new session").isEqualTo(STAY);
        assertThat(lifecycle.decide(withoutParent(true, true, true), 3 * S)).isEqualTo(STAY);
        assertThat(lifecycle.decide(withoutParent(true, true, true), 5 * S - 1)).isEqualTo(STAY);
        assertThat(lifecycle.decide(withoutParent(true, true, true), 5 * S)).isEqualTo(EXIT_DELIVERED);
    }

    @Test
    void undeliverableDataIsLeftAfterTheLingerTime() {
        Lifecycle short_ = new Lifecycle(Duration.ofSeconds(2), Duration.ofSeconds(10));
        assertThat(short_.decide(withParent(false, true, false), 0)).isEqualTo(STAY);
        assertThat(short_.decide(withParent(false, true, false), 9 * S)).isEqualTo(STAY);
        assertThat(short_.decide(withParent(false, true, false), 10 * S)).isEqualTo(EXIT_UNDELIVERED);
    }
}
