package io.datacat.client;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One run of your program, as DataCat records it: events, exceptions, metrics and state,
 * plus how the run ended. Made by {@link Datacat#createSession(SessionOptions)}.
 *
 * <p><b>No logging call ever throws</b>, whatever happens behind it (daemon down, server
 * down, bad values): problems are counted in {@link #stats()}. Calls after {@link #end()}
 * are harmless no-ops, counted as {@link Stats#ignoredAfterEnd()}.
 *
 * <p>An {@link AsyncSession} only queues each call (tens of nanoseconds, no I/O) for its
 * sender thread; the synchronous session returns once the daemon has the record on disk.
 * Maps and lists passed in are copied during the call: change them afterwards as you like.
 * Their values should be strings, numbers, booleans, maps, lists or arrays; anything else is
 * sent as its {@code toString()}.
 */
public interface Session extends AutoCloseable {

    /** The session id (a UUID made by the client). */
    String id();

    /** Logs an event at level {@code info}. */
    void logEvent(String name);

    /** Logs an event at level {@code info} with data. */
    void logEvent(String name, Map<String, ?> data);

    /** Logs an event. */
    void logEvent(String name, Level level);

    /** Logs an event with data. */
    void logEvent(String name, Level level, Map<String, ?> data);

    /** Logs an event with category, group, labels, message and data (see {@link Event#builder}). */
    void logEvent(Event event);

    /** Logs an exception: its type, message, whole cause chain and the place it was thrown. */
    void logException(Throwable error);

    /** Logs an exception with data. */
    void logException(Throwable error, Map<String, ?> data);

    /** Logs a gauge sample (the compatible name of {@link #logGauge}). */
    void logMetric(String name, double value);

    /** Logs a gauge sample with tags. */
    void logMetric(String name, double value, String... tags);

    /** Logs a gauge sample: a value that goes up and down (fps, memory). */
    void logGauge(String name, double value);

    void logGauge(String name, double value, String... tags);

    /** Adds {@code delta} to a counter. */
    void logCounter(String name, double delta);

    void logCounter(String name, double delta, String... tags);

    /** Adds one to a counter. */
    void increment(String name);

    /** Records a sample into a histogram (percentiles p50/p95/p99 are derived from it). */
    void logHistogram(String name, double value);

    void logHistogram(String name, double value, String... tags);

    /** Records a duration (stored in milliseconds). */
    void logTimer(String name, long duration, TimeUnit unit);

    /**
     * Times a block: {@code try (Timer t = session.timer("load_level")) { ... }}. Records the
     * elapsed time in milliseconds when closed.
     */
    Timer timer(String name);

    /** A counter handle: its calls allocate nothing. Create it once, call it every frame. */
    Counter counter(String name, String... tags);

    /** A gauge handle: its calls allocate nothing. */
    Gauge gauge(String name, String... tags);

    /** A histogram handle with DataCat's default log-linear buckets: its calls allocate nothing. */
    Histogram histogram(String name, String... tags);

    /**
     * A histogram handle with your own bucket upper bounds: finite, strictly ascending, at most
     * 255 (a bucket for the values above the last is added).
     *
     * @throws IllegalArgumentException if the bounds are not so
     */
    Histogram histogram(String name, double[] bucketBounds, String... tags);

    /**
     * Deep-merges {@code patch} into the session state: maps merge key by key, any other value
     * (lists included) replaces, {@code null} deletes the key at any depth.
     */
    void updateState(Map<String, ?> patch);

    /**
     * Tells the hang watchdog that this thread is alive: call it every frame from the thread
     * to watch. A plain memory write.
     */
    void heartbeat();

    /** Stops hang detection (a loading screen that blocks the frame loop, say). */
    void pauseHangDetection();

    /** Starts hang detection again; the pause does not count as silence. */
    void resumeHangDetection();

    /** Sent, dropped and queued counts, and the last delivery problem. */
    Stats stats();

    /**
     * Waits until everything logged before this call has reached the daemon, at most
     * {@code timeout}.
     *
     * @return true if everything arrived in time
     */
    boolean flush(Duration timeout);

    /**
     * Ends the session and delivers what is queued, returning within {@code timeout} whatever
     * the daemon and server do. What could not be delivered in time is counted as dropped.
     *
     * @return true if everything, the end included, reached the daemon
     */
    boolean shutdown(Duration timeout);

    /** {@link #shutdown(Duration)} with the options' shutdown timeout (default 2 s). */
    void end();

    /** Same as {@link #end()}, for try-with-resources. */
    @Override
    void close();
}
