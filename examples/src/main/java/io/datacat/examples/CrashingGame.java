package io.datacat.examples;

import io.datacat.client.Datacat;
import io.datacat.client.Session;

/**
 * A game that plays for a second and then dies of an exception nobody catches: DataCat's
 * crash reporter records the session as {@code crashed} ({@code uncaught_exception}) with the
 * exception and its cause chain. Run by {@link GameLoopDemo} in its own JVM.
 */
public final class CrashingGame {
    private CrashingGame() {
    }

    public static void main(String[] args) {
        Session session = Datacat.createSession(GameLoopDemo.options(args[0]).build());
        new GameLoop(session).run(1, -1, 0);
        spawnBoss(null);
    }

    private static void spawnBoss(String bossName) {
        try {
            bossName.length();
        } catch (NullPointerException e) {
            throw new IllegalStateException("the boss of level 2 has no name", e);
        }
    }
}
