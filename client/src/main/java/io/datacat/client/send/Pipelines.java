package io.datacat.client.send;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The live pipelines of this process, for the hang watchdog and the crash reporter. */
public final class Pipelines {
    private static final List<Pipeline> LIVE = new CopyOnWriteArrayList<Pipeline>();

    private Pipelines() {
    }

    static void register(Pipeline p) {
        LIVE.add(p);
    }

    static void unregister(Pipeline p) {
        LIVE.remove(p);
    }

    /** A snapshot safe to iterate while sessions come and go. */
    public static List<Pipeline> live() {
        return LIVE;
    }
}
