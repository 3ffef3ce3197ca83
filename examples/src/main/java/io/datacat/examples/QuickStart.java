package io.datacat.examples;

import io.datacat.client.Counter;
import io.datacat.client.Datacat;
import io.datacat.client.Histogram;
import io.datacat.client.Level;
import io.datacat.client.Session;
import io.datacat.client.SessionOptions;
import io.datacat.client.Stats;

import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/** The README's quick start: a 60 FPS loop logging through an AsyncSession. */
public final class QuickStart {
    public static void main(String[] args) {
        Session session = Datacat.createSession(SessionOptions.builder("MyGame", "1.0.0")
                .serverUrl("http://localhost:9090")
                .asyncMode(true)      // calls only queue the record: no I/O, no lock, no allocation
                .queueSize(10_000)    // when full, calls are dropped and counted (dropOnFull, the default)
                .build());

        Histogram frameTime = session.histogram("frame_time_ms");   // handles: zero allocation per call
        Counter enemies = session.counter("enemies_spawned");
        Map<String, Object> player = new HashMap<>();
        Map<String, Object> patch = Collections.<String, Object>singletonMap("player", player);

        long last = System.nanoTime();
        for (int frame = 0; frame < 600; frame++) {                  // 10 seconds at 60 FPS
            session.heartbeat();                                     // the hang watchdog's pulse
            player.put("x", frame);
            player.put("health", 100 - frame / 10);
            if (frame % 10 == 0) {
                session.updateState(patch);                          // deep-merged into the session state
            }
            if (frame % 60 == 0) {
                enemies.increment();
                session.logEvent("enemy_spawned", Level.INFO, Collections.singletonMap("kind", "orc"));
                session.logGauge("fps", 60);
            }
            if (frame == 300) {
                try {
                    Integer.parseInt("slot-7");
                } catch (NumberFormatException e) {
                    session.logException(e);                         // type, message, cause chain, file:line
                }
            }
            LockSupport.parkNanos(16_666_667L - (System.nanoTime() - last) % 16_666_667L);
            long now = System.nanoTime();
            frameTime.record((now - last) / 1e6);
            last = now;
        }

        session.shutdown(Duration.ofSeconds(2));                     // flush and end, within 2 s whatever happens
        Stats stats = session.stats();                               // sent: acked by the daemon, on its disk
        System.out.println("sent=" + stats.sent() + " dropped=" + stats.dropped() + " lastError=" + stats.lastError());
    }
}
