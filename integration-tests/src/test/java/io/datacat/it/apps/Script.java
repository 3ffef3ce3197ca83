package io.datacat.it.apps;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The known set of records the test apps log, shared by the app (which logs it) and the
 * test (which computes what the server must show).
 */
public final class Script {
    private Script() {
    }

    /** The state patch of step {@code k}: nested merges, array replacement and deletes at depth 1 and 3. */
    public static Map<String, Object> patch(int k) {
        Map<String, Object> inv = new LinkedHashMap<>();
        inv.put("gold", k);
        if (k % 7 == 3) {
            inv.put("gems", null);
        } else {
            inv.put("gems", k % 5);
        }
        Map<String, Object> player = new LinkedHashMap<>();
        player.put("x", k);
        player.put("inv", inv);
        Map<String, Object> p = new HashMap<>();
        p.put("player", player);
        p.put("level", k / 3);
        List<Object> path = new ArrayList<>();
        for (int i = 0; i <= k % 4; i++) {
            path.add(i * k);
        }
        p.put("path", path);
        p.put("temp", k % 2 == 0 ? "even" : null);
        if (k % 11 == 10) {
            p.put("mode", Map.of("name", "boss", "phase", k));
        } else if (k % 11 == 0) {
            p.put("mode", "normal");
        }
        return p;
    }

    public static Map<String, Object> eventData(int i) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("i", i);
        d.put("tag", "step-" + i);
        return d;
    }

    public static double frameMs(int i) {
        return (i % 20) + 0.5;
    }
}
