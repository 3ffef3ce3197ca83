package io.datacat.bench;

import io.datacat.client.Datacat;
import io.datacat.client.SessionOptions;
import org.HdrHistogram.Histogram;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code ./datacat bench [--quick|--full] [--only ingest|e2e|jmh|frames|first-calls] [--postgres <url>]}: runs every benchmark
 * against real
 * processes and writes {@code benchmarks/results/latest.md} (and a dated copy):
 * <ul>
 *   <li>the 60 FPS frame-loop harness: DataCat's AsyncSession with the server up and down, the
 *       guide's blocking-queue logger and DataCat's synchronous session, in the same run, the game
 *       thread sleeping between frames; then the same (but the synchronous session) with the game
 *       thread spinning between frames, so its core never idles, once on the shared cores and once
 *       pinned to a core of its own ({@link Cores}; Linux with {@code taskset}); and with
 *       {@code DATACAT_BENCH_OWN_CORE=1}, sleeping on a core of its own; before them all,
 *       {@link WakeUp}: what each way of waiting costs the game thread's core before any logging;</li>
 *   <li>JMH: the average cost of each kind of call, and of
 *       validating a batch per record; {@code DATACAT_BENCH_JMH_ONLY=<regex>} runs only the single-call
 *       benchmarks whose whole method name matches (say {@code eventWithSmallMap|statePatch}), and
 *       {@code DATACAT_BENCH_JMH_PROFILER=<name[:options]>} adds a JMH
 *       profiler to them (say {@code perfasm:events=cpu-clock}, which needs {@code perf} and an hsdis
 *       library on {@code LD_LIBRARY_PATH});</li>
 *   <li>throughput end to end and of the server's ingest alone;</li>
 *   <li>heap per queued metric record.</li>
 * </ul>
 * {@code --only ingest} (the server-ingest throughput), {@code --only e2e} (end to end),
 * {@code --only jmh} (the JMH benchmarks) and {@code --only frames} (the frame loops) run one
 * measurement and print it without writing the results files: a quick before/after check.
 * {@code --only first-calls} runs {@link FirstCalls}, which only that option runs: which cold
 * lines make a sleeping game thread's first calls of a frame slow.
 * {@code --postgres <url>} (with {@code --only ingest} or {@code --only e2e}) has the server store in
 * that PostgreSQL database instead of a fresh SQLite file; {@code benchmarks/postgres} starts a
 * local PostgreSQL for it.
 */
public final class Bench {
    private Bench() {
    }

    private record Mode(String name, double frameSeconds, double syncSeconds, int jmhForks, int jmhWarmups,
                        int jmhIterations, int e2eRecords, int ingestRecords) {
    }

    private static final Mode QUICK = new Mode("quick", 5, 2, 1, 2, 3, 200_000, 300_000);
    // End to end, the client outpaces the server and the backlog waits in the daemon's spool: a
    // million records (about 130 MB at the worst) stay within its default 128 MiB bound plus
    // what the server takes meanwhile; two million got records evicted.
    private static final Mode FULL = new Mode("full", 30, 5, 2, 3, 5, 1_000_000, 3_000_000);

    /**
     * {@code DATACAT_BENCH_OWN_CORE=1}: the frame loops also run with the game thread sleeping on a
     * core of its own (about 2.5 more minutes in full mode): a control, which tells the tail that
     * comes from sharing the cores with the sender, the daemon and the server from the rest.
     */
    private static final boolean OWN_CORE_LOOPS = "1".equals(System.getenv("DATACAT_BENCH_OWN_CORE"));

    /**
     * {@code DATACAT_BENCH_GAME_JVM="<options>"} (separated by spaces, none containing one): the
     * game's JVM options (say {@code -XX:+UseParallelGC} or {@code -XX:+UseTransparentHugePages}),
     * for the single-call JMH forks and for this JVM, which is the game of the frame loops and the
     * client of the throughput runs; {@code ./datacat bench} starts it with them.
     */
    static final List<String> GAME_JVM = gameJvmOptions();
    /** The game's options this JVM was started without (none when started by {@code ./datacat bench}). */
    private static final List<String> GAME_JVM_MISSING = GAME_JVM.stream()
            .filter(o -> !ManagementFactory.getRuntimeMXBean().getInputArguments().contains(o)).toList();

    private static List<String> gameJvmOptions() {
        String options = System.getenv("DATACAT_BENCH_GAME_JVM");
        return options == null || options.isBlank() ? List.of() : List.of(options.trim().split("\\s+"));
    }

    private static final String E2E_LABEL = "end to end: one client → daemon → server → SQLite";
    private static final String INGEST_LABEL = "server ingest alone: plain JSON batches of 5,000 over HTTP into "
            + "SQLite, 2 senders";

    public static void main(String[] args) throws Exception {
        Mode mode = QUICK;
        String only = null;
        String postgres = null;
        Path repo = Paths.get(".").toAbsolutePath().normalize();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> mode = QUICK;
                case "--full" -> mode = FULL;
                case "--repo" -> repo = Paths.get(args[++i]).toAbsolutePath().normalize();
                case "--postgres" -> {
                    if (i + 1 == args.length) {
                        usage();
                    }
                    postgres = args[++i];
                }
                case "--only" -> {
                    if (i + 1 == args.length || !List.of("ingest", "e2e", "jmh", "frames", "first-calls").contains(args[++i])) {
                        usage();
                    }
                    only = args[i];
                }
                default -> usage();
            }
        }
        if (!GAME_JVM_MISSING.isEmpty()) {
            System.err.println("warning: this JVM runs without " + String.join(" ", GAME_JVM_MISSING)
                    + " of DATACAT_BENCH_GAME_JVM, so only the single-call JMH forks get them, not the frame loops "
                    + "or the throughput clients; ./datacat bench starts it with them");
        }
        if (postgres != null && !List.of("ingest", "e2e").contains(String.valueOf(only))) {
            System.err.println("--postgres goes with --only ingest or --only e2e: the other parts do not use the store");
            System.exit(2);
        }
        if (only != null) {
            String into = postgres == null ? "SQLite" : "PostgreSQL";
            try (Stack stack = Stack.start(repo, postgres)) {
                if (only.equals("frames")) {
                    Report report = new Report(mode.name());
                    frameLoops(stack, mode, report);
                    System.out.println(report.frameTables());
                } else if (only.equals("first-calls")) {
                    System.out.println(mode == FULL ? FirstCalls.run(stack, 3, 15) : FirstCalls.run(stack, 1, 10));
                } else if (only.equals("jmh")) {
                    Report report = new Report(mode.name());
                    hotPath(stack, mode, report);
                    System.out.println(report.jmhTables());
                } else if (only.equals("ingest")) {
                    step("throughput: server ingest (" + mode.ingestRecords() + " records)");
                    System.out.printf(Locale.ROOT, "%s: %,.0f records/s%n", INGEST_LABEL.replace("SQLite", into),
                            Throughput.serverIngest(stack, mode.ingestRecords(), 2));
                } else {
                    step("throughput: end to end (" + mode.e2eRecords() + " records)");
                    System.out.printf(Locale.ROOT, "%s: %,.0f records/s%n", E2E_LABEL.replace("SQLite", into),
                            Throughput.endToEnd(stack, mode.e2eRecords()));
                }
            }
            return;
        }
        Report report = new Report(mode.name());
        try (Stack stack = Stack.start(repo, null)) {
            frameLoops(stack, mode, report);
            hotPath(stack, mode, report);
            step("throughput: end to end (" + mode.e2eRecords() + " records)");
            report.throughput(E2E_LABEL, Throughput.endToEnd(stack, mode.e2eRecords()), 200_000);
            // With the server stopped everything stays in the spool, whose default bound (128 MiB)
            // holds about 700,000 such records; more would be evicted.
            int hopRecords = Math.min(mode.e2eRecords(), 500_000);
            step("throughput: client → daemon spool, server stopped (" + hopRecords + " records)");
            report.throughput("first hop alone: one client → daemon, acked once in its spool (server stopped)",
                    Throughput.clientToDaemon(stack, hopRecords), 200_000);
            step("throughput: server ingest (" + mode.ingestRecords() + " records)");
            report.throughput(INGEST_LABEL, Throughput.serverIngest(stack, mode.ingestRecords(), 2), 300_000);
        }
        step("memory per queued metric record");
        report.memory(QueueMemory.measureInChildJvm(1_000_000));
        Path out = repo.resolve("benchmarks/results");
        Files.createDirectories(out);
        String text = report.markdown();
        Files.writeString(out.resolve("latest.md"), text, StandardCharsets.UTF_8);
        String stamp = ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Files.writeString(out.resolve(stamp + "-" + mode.name() + ".md"), text, StandardCharsets.UTF_8);
        System.out.println(text);
        System.out.println("written to " + out.resolve("latest.md"));
    }

    static String ns(long nanos) {
        if (nanos < 10_000) {
            return nanos + " ns";
        }
        if (nanos < 10_000_000) {
            return String.format(Locale.ROOT, "%.1f µs", nanos / 1e3);
        }
        return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }

    private static void usage() {
        System.err.println("usage: datacat bench [--quick|--full] [--only ingest|e2e|jmh|frames|first-calls] [--postgres <url>]");
        System.exit(2);
    }

    static void step(String what) {
        System.out.println("== " + what);
    }

    private static void frameLoops(Stack stack, Mode mode, Report report) throws Exception {
        // All before the first session: no daemon runs yet, and the server is up but idle.
        List<Variant> variants = new ArrayList<>(List.of(Variant.SLEEPING, Variant.SPINNING));
        if (Cores.available()) {
            variants.add(Variant.SPINNING_OWN_CORE);
            if (OWN_CORE_LOOPS) {
                variants.add(Variant.OWN_CORE);
            }
        }
        for (Variant v : variants) {
            step("the game thread's core after the wait between frames, no logging: " + v.waits);
            report.wakeUp(v.wakeUp(Math.min(mode.frameSeconds(), 10)));
        }

        loopSet(stack, mode, report, Variant.SLEEPING);

        step("frame loop: DataCat synchronous Session");
        try (DatacatLogger log = new DatacatLogger(Datacat.createSession(options(stack, "sync", false).build()))) {
            report.frame(FrameLoop.run("DataCat synchronous Session", log, mode.syncSeconds(), false));
        }

        loopSet(stack, mode, report, Variant.SPINNING);
        if (!Cores.available()) {
            step("frame loops with the game thread on a core of its own: left out (needs Linux, taskset, 2 cores)");
            return;
        }
        loopSet(stack, mode, report, Variant.SPINNING_OWN_CORE);
        if (OWN_CORE_LOOPS) {
            loopSet(stack, mode, report, Variant.OWN_CORE);
        }
    }

    /** The clock alone, DataCat with the server up and down, and the baseline, run as {@code v} says. */
    private static void loopSet(Stack stack, Mode mode, Report report, Variant v) throws Exception {
        double seconds = mode.frameSeconds();
        String tag = "frame loop" + v.suffix + ": ";
        step(tag + "timer overhead");
        report.frame(v.run("clock reads alone (no logging)", new NoopLogger(), seconds));

        step(tag + "DataCat AsyncSession, server up");
        try (DatacatLogger log = new DatacatLogger(Datacat.createSession(
                options(stack, "async-up" + v.nameSuffix, true).build()))) {
            report.frame(v.run("DataCat AsyncSession, server up", log, seconds));
        }

        step(tag + "DataCat AsyncSession, server down");
        stack.stopServer();
        String downSession;
        try (DatacatLogger log = new DatacatLogger(Datacat.createSession(
                options(stack, "async-down" + v.nameSuffix, true).build()))) {
            downSession = log.session().id();
            report.frame(v.run("DataCat AsyncSession, server down", log, seconds));
        } finally {
            stack.startServer();
        }
        // Its daemon now delivers the spooled frames: the next loggers must not share the machine with that.
        Throughput.awaitEnded(stack, downSession);

        step(tag + "baseline (blocking queue + HTTP per record, as in the guide)");
        String baselineDaemon = stack.startCompatDaemon("baseline-daemon" + v.nameSuffix);
        try (BlockingQueueLogger log = new BlockingQueueLogger(baselineDaemon)) {
            report.frame(v.run("baseline: blocking queue + HTTP per record", log, seconds));
        } finally {
            stack.stopCompatDaemon(baselineDaemon); // so that it does not run beside the next sets
        }
    }

    /**
     * How a set of frame loops runs, and the suffix its rows' names carry: the game thread
     * sleeping to its next frame on cores it shares with everything else (the main rows),
     * spinning to it instead (its core never idles), or on a core of its own, sleeping or spinning.
     */
    private enum Variant {
        SLEEPING("", "", "sleeping between frames", false, false),
        SPINNING(", game thread spinning between frames", "-spin", "spinning between frames", true, false),
        SPINNING_OWN_CORE(", game thread spinning on its own core", "-spin-own", "spinning on its own core", true, true),
        OWN_CORE(", game thread on its own core", "-own", "sleeping on its own core", false, true);

        final String suffix;
        final String nameSuffix;
        /** How the game thread waits for its next frame, and where: a row of the wake-up table. */
        final String waits;
        final boolean spin;
        final boolean ownCore;

        Variant(String suffix, String nameSuffix, String waits, boolean spin, boolean ownCore) {
            this.suffix = suffix;
            this.nameSuffix = nameSuffix;
            this.waits = waits;
            this.spin = spin;
            this.ownCore = ownCore;
        }

        FrameLoop.Result run(String name, GameLogger log, double seconds) throws Exception {
            return ownCore ? Cores.isolated(() -> FrameLoop.run(name + suffix, log, seconds, spin))
                    : FrameLoop.run(name + suffix, log, seconds, spin);
        }

        WakeUp.Result wakeUp(double seconds) throws Exception {
            return ownCore ? Cores.isolated(() -> WakeUp.run(waits, seconds, spin)) : WakeUp.run(waits, seconds, spin);
        }

        static Variant of(String rowName) {
            for (Variant v : values()) {
                if (!v.suffix.isEmpty() && rowName.endsWith(v.suffix)) {
                    return v;
                }
            }
            return SLEEPING;
        }
    }

    /**
     * One spool for every frame-loop session, so one daemon, as a game's sessions share theirs: a
     * daemon per session would stay, idle, as long as the bench JVM (its parent) lives, and the
     * later loops would share the machine with a dozen of them.
     */
    static SessionOptions.Builder options(Stack stack, String name, boolean async) throws IOException {
        return SessionOptions.builder("FrameLoopBench", name).serverUrl(stack.serverUrl())
                .daemonCommand(stack.daemonCommand().toArray(new String[0]))
                .spoolDir(stack.spoolDir("frame-loops").toString()).asyncMode(async).crashReporting(false);
    }

    private static void hotPath(Stack stack, Mode mode, Report report) throws Exception {
        step("JMH: single calls");
        List<String> jvmArgs = new ArrayList<>(List.of("-D" + HotPathBenchmark.SERVER + "=" + stack.serverUrl(),
                "-D" + HotPathBenchmark.DAEMON_JAR + "=" + stack.daemonJar(),
                "-D" + HotPathBenchmark.SPOOL + "=" + stack.spoolDir("jmh")));
        jvmArgs.addAll(GAME_JVM);
        Path profile = Stack.profileDir("jmh");
        Instant started = Instant.now();
        if (profile != null) {
            jvmArgs.addAll(HotMethods.recordInto(profile));
        }
        String only = System.getenv("DATACAT_BENCH_JMH_ONLY");
        for (RunResult r : jmh(mode, HotPathBenchmark.class, only,
                System.getenv("DATACAT_BENCH_JMH_PROFILER"), jvmArgs.toArray(new String[0]))) {
            String bench = r.getParams().getBenchmark();
            report.jmh(bench.substring(bench.lastIndexOf('.') + 1), r.getPrimaryResult().getScore(),
                    r.getPrimaryResult().getScoreError());
        }
        if (profile != null) {
            String hot = "### Where the game thread's samples fall (JFR, " + mode.name() + " mode)\n"
                    + HotMethods.summarize(profile, started);
            Files.writeString(profile.resolve("hot-methods.md"), hot, StandardCharsets.UTF_8);
            System.out.println(hot);
            System.out.println("written to " + profile.resolve("hot-methods.md"));
        }
        if (only != null && !only.isBlank()) {
            return;
        }
        step("JMH: validating a batch, compiled as in the daemon (C1 only)");
        validation(report, "daemon: C1 only (-XX:TieredStopAtLevel=1)", jmh(mode, ValidationBenchmark.class,
                "-XX:TieredStopAtLevel=1"));
        step("JMH: validating a batch, compiled as in the server");
        validation(report, "server: the JVM's default (C2)", jmh(mode, ValidationBenchmark.class));
    }

    private static Collection<RunResult> jmh(Mode mode, Class<?> benchmarks, String... jvmArgs) throws Exception {
        return jmh(mode, benchmarks, null, null, jvmArgs);
    }

    /**
     * @param only     a regular expression the benchmark's whole method name must match, or null for all
     * @param profiler a JMH profiler as {@code name[:options]} (say {@code perfasm:events=cpu-clock}), or null
     */
    private static Collection<RunResult> jmh(Mode mode, Class<?> benchmarks, String only, String profiler,
                                             String... jvmArgs) throws Exception {
        ChainedOptionsBuilder opt = new OptionsBuilder()
                // JMH finds the pattern anywhere in a benchmark's full name: anchor it to this class's methods.
                .include(Pattern.quote(benchmarks.getName()) + "\\.(?:"
                        + (only == null || only.isBlank() ? ".*" : only.trim()) + ")$")
                .forks(mode.jmhForks())
                .warmupIterations(mode.jmhWarmups()).warmupTime(TimeValue.seconds(1))
                .measurementIterations(mode.jmhIterations()).measurementTime(TimeValue.seconds(1))
                // Replaces what JMH would copy from this JVM's options: the game's options go to the
                // single-call forks only, not to the validation forks, which stand for the daemon and the server.
                .jvmArgs(jvmArgs)
                .shouldDoGC(true);
        if (profiler != null && !profiler.isBlank()) {
            String[] p = profiler.trim().split(":", 2);
            opt.addProfiler(p[0], p.length > 1 ? p[1] : "");
        }
        return new Runner(opt.build()).run();
    }

    private static void validation(Report report, String compiledAs, Collection<RunResult> results) {
        for (RunResult r : results) {
            report.validation(compiledAs, r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError());
        }
    }

    /** Collects the numbers and writes them as Markdown tables. */
    private static final class Report {
        private final String mode;
        private final List<FrameLoop.Result> frames = new ArrayList<>();
        private final List<WakeUp.Result> wakeUps = new ArrayList<>();
        private final Map<String, double[]> jmh = new LinkedHashMap<>();
        private final Map<String, double[]> validation = new LinkedHashMap<>();
        private final Map<String, double[]> throughput = new LinkedHashMap<>();
        private double bytesPerRecord;

        Report(String mode) {
            this.mode = mode;
        }

        void frame(FrameLoop.Result r) {
            frames.add(r);
        }

        void wakeUp(WakeUp.Result r) {
            wakeUps.add(r);
        }

        void jmh(String name, double ns, double error) {
            jmh.put(name, new double[] {ns, error});
        }

        void validation(String name, double ns, double error) {
            validation.put(name, new double[] {ns, error});
        }

        void throughput(String name, double perSecond, double target) {
            throughput.put(name, new double[] {perSecond, target});
        }

        void memory(double bytes) {
            bytesPerRecord = bytes;
        }

        String markdown() {
            StringBuilder sb = new StringBuilder();
            sb.append("# DataCat benchmark results (").append(mode).append(")\n\n");
            sb.append("- date: ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append('\n');
            sb.append("- machine: ").append(Machine.cpu()).append(", ").append(Runtime.getRuntime().availableProcessors())
                    .append(" cores, ").append(Machine.memory()).append('\n');
            sb.append("- JDK: ").append(System.getProperty("java.vm.name")).append(' ')
                    .append(System.getProperty("java.runtime.version")).append('\n');
            if (!GAME_JVM.isEmpty()) {
                sb.append("- game JVM options: `").append(String.join(" ", GAME_JVM)).append("` (")
                        .append(GAME_JVM_MISSING.isEmpty()
                                ? "the frame loops, the throughput clients and the single-call JMH forks"
                                : "the single-call JMH forks only: the frame loops ran without "
                                        + String.join(" ", GAME_JVM_MISSING)).append(")\n");
            }
            sb.append("- client: DataCat ").append(Datacat.VERSION).append("; command: `")
                    .append(OWN_CORE_LOOPS ? "DATACAT_BENCH_OWN_CORE=1 " : "")
                    .append(GAME_JVM.isEmpty() ? "" : "DATACAT_BENCH_GAME_JVM=\"" + String.join(" ", GAME_JVM) + "\" ")
                    .append("./datacat bench --").append(mode).append("`\n\n");

            sb.append(frameTables());
            sb.append(jmhTables());
            sb.append("\n## Throughput\n\n| measure | records/s | target |\n|---|---|---|\n");
            throughput.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f |%n", k, v[0], v[1])));
            sb.append(String.format(Locale.ROOT, "%n## Memory%n%n| measure | bytes | target |%n|---|---|---|%n"
                    + "| heap per queued metric record (queue of 1,000,000; serial GC) | %.1f | 64 |%n", bytesPerRecord));
            return sb.toString();
        }

        String frameTables() {
            StringBuilder sb = new StringBuilder();
            FrameLoop.Result baseline = find("baseline", Variant.SLEEPING);
            FrameLoop.Result async = find("AsyncSession, server up", Variant.SLEEPING);
            sb.append("## Per call on the game thread (60 FPS, 100 mixed calls + 1 heartbeat per frame)\n\n");
            sb.append("Clock reads around each call are included; the first row shows what they cost alone. ")
                    .append("The game thread sleeps to its next frame, on the cores everything else shares. Rows marked "
                            + "\"game thread spinning between frames\" keep it busy until its next frame instead, so its "
                            + "core never idles (a game that waits for vsync in a busy loop, or has work all frame long).")
                    .append(" Rows marked \"on its own core\" pin it to one core and everything else (the sender, "
                            + "the JIT, the collector, the server, the daemons) to the other.").append("\n\n");
            sb.append("| logger | p50 | p90 | p99 | p99.9 | p99.99 | max | allocated/call | dropped |\n");
            sb.append("|---|---|---|---|---|---|---|---|---|\n");
            for (FrameLoop.Result r : frames) {
                Histogram h = r.perCall();
                sb.append("| ").append(r.name()).append(" | ").append(ns(h.getValueAtPercentile(50))).append(" | ")
                        .append(ns(h.getValueAtPercentile(90))).append(" | ").append(ns(h.getValueAtPercentile(99)))
                        .append(" | ").append(ns(h.getValueAtPercentile(99.9))).append(" | ")
                        .append(ns(h.getValueAtPercentile(99.99))).append(" | ").append(ns(h.getMaxValue()))
                        .append(" | ").append(String.format(Locale.ROOT, "%.1f B", r.allocatedBytesPerCall()))
                        .append(" | ").append(r.dropped()).append(" |\n");
            }
            ratios(sb, "Baseline ÷ DataCat AsyncSession (server up)", baseline, async);
            for (Variant v : List.of(Variant.SPINNING, Variant.SPINNING_OWN_CORE, Variant.OWN_CORE)) {
                ratios(sb, "The same" + v.suffix, find("baseline", v), find("AsyncSession, server up", v));
            }
            sb.append("\n### The game thread's core after the wait between frames\n\n");
            sb.append("Before any logging and before any session (no daemon runs yet; the server is up but idle): at "
                    + "the start of each frame the game thread times a fixed computation of about 300 ns that "
                    + "touches no data in memory, eight times in a row, then a pass over 64 cache lines it wrote "
                    + "itself the frame before, twice in a row; the later passes show what the first would cost on a "
                    + "warm core. A slow first computation is what the first work after the wait pays besides data "
                    + "(the core coming back, its code caches and branch predictors); slow first lines mean the data "
                    + "caches were emptied during the wait. "
                    + "p50 / p90 / p99.\n\n");
            histogramTable(sb, "game thread", WakeUp.PROBES, wakeUps.stream().map(WakeUp.Result::name).toList(),
                    wakeUps.stream().map(WakeUp.Result::probes).toList(), 50, 90, 99);
            sb.append("\n### By position in the frame\n\n");
            sb.append("A game thread that sleeps between frames meets cold caches and TLB at the first calls of a "
                    + "frame (the clock-only row shows the effect on two clock reads); one that spins finds only the "
                    + "lines the other threads changed meanwhile. From the fourth call on, a call costs what it costs "
                    + "in a steady burst.\n\n");
            sb.append("| logger | 1st call p50 | 1st call p99 | 4th call on: p50 | p90 | p99 | p99.9 |\n");
            sb.append("|---|---|---|---|---|---|---|\n");
            for (FrameLoop.Result r : frames) {
                Histogram first = r.firstOfFrame();
                Histogram rest = r.fourthOn();
                sb.append("| ").append(r.name()).append(" | ").append(ns(first.getValueAtPercentile(50))).append(" | ")
                        .append(ns(first.getValueAtPercentile(99))).append(" | ")
                        .append(ns(rest.getValueAtPercentile(50))).append(" | ")
                        .append(ns(rest.getValueAtPercentile(90))).append(" | ")
                        .append(ns(rest.getValueAtPercentile(99))).append(" | ")
                        .append(ns(rest.getValueAtPercentile(99.9))).append(" |\n");
            }
            sb.append("\n### By kind of call, from the 4th call of a frame on: p50 / p99\n\n");
            sb.append("Each latency includes two clock reads (the clock-only row).\n\n");
            histogramTable(sb, "logger", Workload.KINDS, frames.stream().map(FrameLoop.Result::name).toList(),
                    frames.stream().map(FrameLoop.Result::fourthOnByKind).toList(), 50, 99);
            sb.append("\n## Logging cost per frame (100 calls + heartbeat)\n\n");
            sb.append("| logger | p50 | p99 | p99.9 | max | frames |\n|---|---|---|---|---|---|\n");
            for (FrameLoop.Result r : frames) {
                Histogram h = r.perFrame();
                sb.append("| ").append(r.name()).append(" | ").append(ns(h.getValueAtPercentile(50))).append(" | ")
                        .append(ns(h.getValueAtPercentile(99))).append(" | ").append(ns(h.getValueAtPercentile(99.9)))
                        .append(" | ").append(ns(h.getMaxValue())).append(" | ").append(h.getTotalCount()).append(" |\n");
            }
            return sb.toString();
        }

        String jmhTables() {
            StringBuilder sb = new StringBuilder();
            sb.append("\n## Single calls (JMH, average over bursts of 1,000, queue never full)\n\n");
            sb.append("| call | ns/call | ± |\n|---|---|---|\n");
            jmh.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f |%n", k, v[0], v[1])));
            if (validation.isEmpty()) {
                return sb.toString();
            }
            sb.append("\n## Validating a batch (JMH, 5,000 events with a small map, as the daemon and the server "
                    + "read them)\n\n| compiled as | ns/record | ± |\n|---|---|---|\n");
            validation.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f |%n", k, v[0], v[1])));
            return sb.toString();
        }

        /** A row per name; in each cell, that column's histogram at {@code percentiles}, as "a / b". */
        private static void histogramTable(StringBuilder sb, String first, String[] columns, List<String> names,
                                           List<Histogram[]> cells, double... percentiles) {
            sb.append("| ").append(first).append(" |");
            for (String c : columns) {
                sb.append(' ').append(c).append(" |");
            }
            sb.append("\n|---|").append("---|".repeat(columns.length)).append('\n');
            for (int i = 0; i < names.size(); i++) {
                sb.append("| ").append(names.get(i)).append(" |");
                for (Histogram h : cells.get(i)) {
                    for (int p = 0; p < percentiles.length; p++) {
                        sb.append(p == 0 ? " " : " / ").append(ns(h.getValueAtPercentile(percentiles[p])));
                    }
                    sb.append(" |");
                }
                sb.append('\n');
            }
        }

        private FrameLoop.Result find(String nameContains, Variant v) {
            return frames.stream().filter(r -> r.name().contains(nameContains) && Variant.of(r.name()) == v)
                    .findFirst().orElse(null);
        }

        private static void ratios(StringBuilder sb, String what, FrameLoop.Result baseline, FrameLoop.Result async) {
            if (baseline != null && async != null) {
                sb.append(String.format(Locale.ROOT, "%n%s: p50 %.1f×, p99 %.1f×, p99.9 %.1f×, p99.99 %.1f×, max %.1f×%n",
                        what, ratio(baseline, async, 50), ratio(baseline, async, 99), ratio(baseline, async, 99.9),
                        ratio(baseline, async, 99.99),
                        baseline.perCall().getMaxValue() / (double) Math.max(1, async.perCall().getMaxValue())));
            }
        }

        private static double ratio(FrameLoop.Result a, FrameLoop.Result b, double percentile) {
            return a.perCall().getValueAtPercentile(percentile)
                    / (double) Math.max(1, b.perCall().getValueAtPercentile(percentile));
        }
    }
}
