package io.datacat.bench;

import java.util.HashMap;
import java.util.Map;

/**
 * 100 mixed calls per frame: 20 events with a small data map, 10 without data, 10 state
 * patches, 30 metric calls through handles and 30 by name. The maps are built once and
 * changed in place, as a game does, so the workload itself allocates nothing.
 */
final class Workload {
    static final int CALLS_PER_FRAME = 100;
    /** What call {@code k} of a frame is, by {@link #kind(int)}, for per-kind latencies. */
    static final String[] KINDS = {"event with a map", "state patch", "metric handle", "metric by name",
            "event without data"};
    private static final Integer[] SMALL = new Integer[1024];

    static {
        for (int i = 0; i < SMALL.length; i++) {
            SMALL[i] = i;
        }
    }

    private final Map<String, Object> eventData = new HashMap<>();
    private final Map<String, Object> position = new HashMap<>();
    private final Map<String, Object> patch = new HashMap<>();

    Workload() {
        eventData.put("kind", "orc");
        eventData.put("x", SMALL[0]);
        position.put("x", SMALL[0]);
        position.put("y", SMALL[0]);
        patch.put("player", position);
    }

    /** The index in {@link #KINDS} of call {@code k} (0–99). */
    static int kind(int k) {
        switch (k % 10) {
            case 0:
            case 5:
                return 0;
            case 1:
                return 1;
            case 2:
            case 3:
            case 4:
                return 2;
            case 6:
            case 7:
            case 8:
                return 3;
            default:
                return 4;
        }
    }

    /** Call {@code k} (0–99) of frame {@code frame}. */
    void call(GameLogger log, int frame, int k) {
        Integer v = SMALL[(frame + k) & 1023];
        switch (k % 10) {
            case 0:
            case 5:
                eventData.put("x", v);
                log.event("enemy_spawned", eventData);
                break;
            case 1:
                position.put("x", v);
                log.state(patch);
                break;
            case 2:
                log.counterHandle();
                break;
            case 3:
                log.gaugeHandle(v);
                break;
            case 4:
                log.histogramHandle(16.0 + (k & 7));
                break;
            case 6:
                log.gauge("fps", 60);
                break;
            case 7:
                log.counter("shots", 1);
                break;
            case 8:
                log.histogram("update_ms", 2.0 + (k & 3));
                break;
            default:
                log.event("tick", null);
        }
    }
}
