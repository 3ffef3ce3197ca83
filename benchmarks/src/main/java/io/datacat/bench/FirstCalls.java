package io.datacat.bench;

import io.datacat.client.Datacat;
import io.datacat.client.SessionOptions;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntConsumer;

/**
 * Which cold lines make the first calls of a frame slow when the game thread sleeps between
 * frames ({@code ./datacat bench --only first-calls}): DataCat's frame loop with the server up,
 * run three ways in turn, each warming more before every frame, untimed, after the wait:
 * <ol>
 *   <li>nothing;</li>
 *   <li>the code: one call of each kind through a second session with maps of its own, so the
 *       same compiled code runs, but not this session's ring and pool nor the measured maps;</li>
 *   <li>the code and this session's ring and pool: the same calls through this session, still
 *       with maps of their own.</li>
 * </ol>
 * What each step takes off the first call is what refilling that part costs after a sleep;
 * what the last leaves is the caller's maps and the rest. Rounds alternate the three, so a
 * change in the machine between rounds shows as a change in all three.
 */
final class FirstCalls {
    private static final String[] WARMED = {"nothing", "the code (a second session's calls)",
            "the code and this session's ring and pool"};

    private FirstCalls() {
    }

    static String run(Stack stack, int rounds, double seconds) throws Exception {
        List<String> rows = new ArrayList<>();
        try (DatacatLogger measured = new DatacatLogger(Datacat.createSession(options(stack, "first-calls")));
             DatacatLogger second = new DatacatLogger(Datacat.createSession(options(stack, "first-calls-2")))) {
            Workload own = new Workload();
            for (int round = 1; round <= rounds; round++) {
                for (int w = 0; w < WARMED.length; w++) {
                    Bench.step("first calls, round " + round + " of " + rounds + ": warmed before each frame: "
                            + WARMED[w]);
                    GameLogger warmer = w == 1 ? second : measured;
                    IntConsumer warm = w == 0 ? null : f -> {
                        for (int k = 0; k < 10; k++) { // one call of each kind
                            own.call(warmer, f, k);
                        }
                    };
                    FrameLoop.Result r = FrameLoop.run(WARMED[w], measured, seconds, false, warm);
                    rows.add(row(round, r));
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append("## First calls of a frame, game thread sleeping: what warming each part before the frame "
                + "takes off\n\nDataCat AsyncSession, server up. p50 / p90 / p99 of a frame's first call; "
                + "p99.9 of all calls; the frame's logging cost.\n\n");
        sb.append("| round | warmed before each frame | 1st call | per call p99.9 | frame p50 | frame p99 |\n");
        sb.append("|---|---|---|---|---|---|\n");
        rows.forEach(sb::append);
        return sb.toString();
    }

    private static String row(int round, FrameLoop.Result r) {
        Histogram first = r.firstOfFrame();
        return String.format(Locale.ROOT, "| %d | %s | %s / %s / %s | %s | %s | %s |%n", round, r.name(),
                Bench.ns(first.getValueAtPercentile(50)), Bench.ns(first.getValueAtPercentile(90)),
                Bench.ns(first.getValueAtPercentile(99)), Bench.ns(r.perCall().getValueAtPercentile(99.9)),
                Bench.ns(r.perFrame().getValueAtPercentile(50)), Bench.ns(r.perFrame().getValueAtPercentile(99)));
    }

    private static SessionOptions options(Stack stack, String name) throws Exception {
        return Bench.options(stack, name, true).build();
    }
}
