package io.datacat.examples;

import io.datacat.client.Counter;
import io.datacat.client.Event;
import io.datacat.client.Gauge;
import io.datacat.client.Histogram;
import io.datacat.client.Level;
import io.datacat.client.Session;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;

/**
 * A toy game running at 60 FPS that logs the way a real one would: a heartbeat and a frame
 * time every frame, counters as things happen, state when it changes, events and a caught
 * exception now and then.
 */
final class GameLoop {
    static final long FRAME_NANOS = 1_000_000_000L / 60;

    private final Session session;
    private final Random random = new Random(7);
    private final Histogram frameTime;
    private final Gauge fps;
    private final Counter enemiesSpawned;
    private final Counter shotsFired;
    private final Map<String, Object> player = new LinkedHashMap<String, Object>();
    private final Map<String, Object> position = new LinkedHashMap<String, Object>();
    private final Map<String, Object> patch = new HashMap<String, Object>();
    private int frame;
    private int level = 1;

    GameLoop(Session session) {
        this.session = session;
        this.frameTime = session.histogram("frame_time_ms");
        this.fps = session.gauge("fps");
        this.enemiesSpawned = session.counter("enemies_spawned");
        this.shotsFired = session.counter("shots_fired", "weapon:blaster");
        player.put("name", "Ada");
        player.put("health", 100);
        player.put("position", position);
        patch.put("player", player);
    }

    /** Runs frames until {@code seconds} have passed; {@code stallAtFrame} (or -1) blocks one frame for {@code stallMillis}. */
    void run(double seconds, int stallAtFrame, long stallMillis) {
        long start = System.nanoTime();
        long next = start;
        long lastFpsAt = start;
        int framesSinceFps = 0;
        session.logEvent("level_started", Level.INFO, singleton("level", level));
        while (System.nanoTime() - start < seconds * 1e9) {
            long frameStart = System.nanoTime();
            session.heartbeat();
            update();
            if (frame == stallAtFrame) {
                loadHugeAsset(stallMillis);
            }
            frameTime.record((System.nanoTime() - frameStart) / 1e6 + 1 + random.nextDouble() * 3);
            framesSinceFps++;
            if (frameStart - lastFpsAt >= 1_000_000_000L) {
                fps.set(framesSinceFps * 1e9 / (frameStart - lastFpsAt));
                framesSinceFps = 0;
                lastFpsAt = frameStart;
            }
            frame++;
            next += FRAME_NANOS;
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                LockSupport.parkNanos(sleep);
            } else {
                next = System.nanoTime();
            }
        }
        session.updateState(singleton("frames", frame));
    }

    private void update() {
        if (random.nextInt(4) == 0) {
            shotsFired.increment();
        }
        if (frame % 30 == 0) {
            enemiesSpawned.increment();
            session.logEvent("enemy_spawned", Level.DEBUG, singleton("kind", random.nextBoolean() ? "orc" : "bat"));
        }
        if (frame % 10 == 0) {
            position.put("x", frame / 10);
            position.put("y", Math.round(Math.sin(frame / 60.0) * 100) / 10.0);
            session.updateState(patch);
        }
        if (frame == 90) {
            player.put("health", 40);
            session.logEvent(Event.builder("player_hit").level(Level.WARNING).category("combat")
                    .labels("player", "damage").message("Ada took 60 damage from an orc")
                    .data("damage", 60).data("source", "orc").build());
        }
        if (frame == 120) {
            try {
                parseSaveSlot("slot-7");
            } catch (IllegalStateException e) {
                session.logException(e, singleton("slot", "slot-7"));
            }
        }
        if (frame > 0 && frame % 180 == 0) {
            level++;
            session.logEvent("level_started", Level.INFO, singleton("level", level));
            session.updateState(singleton("level", level));
        }
    }

    private static void parseSaveSlot(String slot) {
        try {
            Integer.parseInt(slot);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("save slot '" + slot + "' is corrupt", e);
        }
    }

    /** The frame that takes far too long: what the hang watchdog is for. */
    private static void loadHugeAsset(long millis) {
        LockSupport.parkNanos(millis * 1_000_000L);
    }

    static Map<String, Object> singleton(String key, Object value) {
        Map<String, Object> m = new HashMap<String, Object>();
        m.put(key, value);
        return m;
    }
}
