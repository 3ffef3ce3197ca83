package io.datacat.client;

import io.datacat.client.ring.RecordRing;
import io.datacat.client.ring.SlotKind;
import io.datacat.client.send.CallerSide;
import io.datacat.client.send.Clock;
import io.datacat.client.send.Front;
import io.datacat.client.send.MetricKey;
import io.datacat.client.send.MetricKind;
import io.datacat.client.send.Pipeline;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The calls of a session, written once for both kinds: each claims a slot of its front,
 * copies the call into it and publishes it. What differs between the synchronous session and
 * {@link AsyncSession} is only the front's policy.
 */
abstract class BaseSession implements Session {
    private static final byte INFO = (byte) Level.INFO.ordinal();
    private static final byte ERROR = (byte) Level.ERROR.ordinal();

    final Pipeline pipeline;
    final Front front;
    /** Read on every call: kept apart from the pipeline's fields, which the sender writes. */
    private final CallerSide caller;
    final long shutdownTimeoutMs;

    BaseSession(Pipeline pipeline, Front front, long shutdownTimeoutMs) {
        this.pipeline = pipeline;
        this.front = front;
        this.caller = pipeline.caller();
        this.shutdownTimeoutMs = shutdownTimeoutMs;
    }

    @Override
    public String id() {
        return pipeline.sessionId();
    }

    @Override
    public void logEvent(String name) {
        event(name, INFO, null);
    }

    @Override
    public void logEvent(String name, Map<String, ?> data) {
        event(name, INFO, data);
    }

    @Override
    public void logEvent(String name, Level level) {
        event(name, level == null ? INFO : (byte) level.ordinal(), null);
    }

    @Override
    public void logEvent(String name, Level level, Map<String, ?> data) {
        event(name, level == null ? INFO : (byte) level.ordinal(), data);
    }

    private void event(String name, byte level, Map<String, ?> data) {
        long p = claim();
        if (p < 0) {
            return;
        }
        RecordRing r = front.ring();
        int i = r.index(p);
        try {
            r.fill(i, SlotKind.EVENT, level, Clock.micros(), 0, name, null);
            if (data != null) {
                r.docFor(p).copyMap(data);
            }
        } catch (Throwable t) {
            failed(r, i);
        } finally {
            // Whatever happened, the position is published: one left unpublished would stall the sender.
            front.publish(p);
        }
    }

    @Override
    public void logEvent(Event event) {
        if (event == null) {
            return;
        }
        long p = claim();
        if (p < 0) {
            return;
        }
        RecordRing r = front.ring();
        int i = r.index(p);
        r.fill(i, SlotKind.EVENT_OBJECT, INFO, Clock.micros(), 0, null, event);
        front.publish(p);
    }

    @Override
    public void logException(Throwable error) {
        logException(error, null);
    }

    @Override
    public void logException(Throwable error, Map<String, ?> data) {
        if (error == null) {
            return;
        }
        long p = claim();
        if (p < 0) {
            return;
        }
        RecordRing r = front.ring();
        int i = r.index(p);
        try {
            // A thrown exception is immutable in practice: the sender formats it later.
            r.fill(i, SlotKind.EXCEPTION, ERROR, Clock.micros(), 0, null, error);
            if (data != null) {
                r.docFor(p).copyMap(data);
            }
        } catch (Throwable t) {
            failed(r, i);
        } finally {
            front.publish(p);
        }
    }

    @Override
    public void logMetric(String name, double value) {
        metric(MetricKind.GAUGE, name, value, null);
    }

    @Override
    public void logMetric(String name, double value, String... tags) {
        metric(MetricKind.GAUGE, name, value, tags);
    }

    @Override
    public void logGauge(String name, double value) {
        metric(MetricKind.GAUGE, name, value, null);
    }

    @Override
    public void logGauge(String name, double value, String... tags) {
        metric(MetricKind.GAUGE, name, value, tags);
    }

    @Override
    public void logCounter(String name, double delta) {
        metric(MetricKind.COUNTER, name, delta, null);
    }

    @Override
    public void logCounter(String name, double delta, String... tags) {
        metric(MetricKind.COUNTER, name, delta, tags);
    }

    @Override
    public void increment(String name) {
        metric(MetricKind.COUNTER, name, 1, null);
    }

    @Override
    public void logHistogram(String name, double value) {
        metric(MetricKind.HISTOGRAM, name, value, null);
    }

    @Override
    public void logHistogram(String name, double value, String... tags) {
        metric(MetricKind.HISTOGRAM, name, value, tags);
    }

    @Override
    public void logTimer(String name, long duration, TimeUnit unit) {
        metric(MetricKind.TIMER, name, unit == null ? duration : unit.toNanos(duration) / 1e6, null);
    }

    private void metric(byte kind, String name, double value, String[] tags) {
        if (!finite(value)) {
            return;
        }
        long p = claim();
        if (p < 0) {
            return;
        }
        RecordRing r = front.ring();
        int i = r.index(p);
        try {
            r.fill(i, SlotKind.METRIC, kind, Clock.micros(), value, name, null);
            if (tags != null && tags.length > 0) {
                r.tags(i).copyOf(tags);
            }
        } catch (Throwable t) {
            failed(r, i);
        } finally {
            front.publish(p);
        }
    }

    /** The steady-state path of metric handles: no allocation, no map lookup. */
    void metric(MetricKey key, double value) {
        if (!finite(value)) {
            return;
        }
        long p = claim();
        if (p < 0) {
            return;
        }
        RecordRing r = front.ring();
        int i = r.index(p);
        r.fill(i, SlotKind.METRIC_HANDLE, (byte) 0, Clock.micros(), value, null, key);
        front.publish(p);
    }

    /** NaN and Infinity cannot be stored: such a call is dropped and counted. */
    private boolean finite(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            if (caller.closing()) {
                pipeline.countIgnoredAfterEnd();
            } else {
                pipeline.countDroppedUnclaimed();
            }
            return false;
        }
        return true;
    }

    @Override
    public Timer timer(String name) {
        return new Timer(this, name);
    }

    @Override
    public Counter counter(String name, String... tags) {
        return new Counter(this, new MetricKey(name, tags, MetricKind.COUNTER, null, null));
    }

    @Override
    public Gauge gauge(String name, String... tags) {
        return new Gauge(this, new MetricKey(name, tags, MetricKind.GAUGE, null, null));
    }

    @Override
    public Histogram histogram(String name, String... tags) {
        return new Histogram(this, new MetricKey(name, tags, MetricKind.HISTOGRAM, null, null));
    }

    @Override
    public Histogram histogram(String name, double[] bucketBounds, String... tags) {
        double[] bounds = bucketBounds == null ? null : bucketBounds.clone();
        if (bounds != null) {
            for (int i = 0; i < bounds.length; i++) {
                if (Double.isNaN(bounds[i]) || Double.isInfinite(bounds[i]) || i > 0 && bounds[i] <= bounds[i - 1]) {
                    throw new IllegalArgumentException("bucket bounds must be finite and strictly ascending");
                }
            }
        }
        return new Histogram(this, new MetricKey(name, tags, MetricKind.HISTOGRAM, null, bounds));
    }

    @Override
    public void updateState(Map<String, ?> patch) {
        if (patch == null) {
            return;
        }
        long p = claim();
        if (p < 0) {
            return;
        }
        RecordRing r = front.ring();
        int i = r.index(p);
        try {
            r.fill(i, SlotKind.STATE, (byte) 0, Clock.micros(), 0, null, null);
            r.docFor(p).copyMap(patch);
        } catch (Throwable t) {
            failed(r, i);
        } finally {
            front.publish(p);
        }
    }

    @Override
    public void heartbeat() {
        caller.heartbeat(pipeline);
    }

    @Override
    public void pauseHangDetection() {
        pipeline.pauseHangDetection();
    }

    @Override
    public void resumeHangDetection() {
        pipeline.resumeHangDetection();
    }

    @Override
    public Stats stats() {
        return pipeline.stats();
    }

    @Override
    public boolean flush(Duration timeout) {
        try {
            return pipeline.flush(nanos(timeout));
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public boolean shutdown(Duration timeout) {
        try {
            return pipeline.terminate(null, nanos(timeout));
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void end() {
        shutdown(Duration.ofMillis(shutdownTimeoutMs));
    }

    @Override
    public void close() {
        end();
    }

    private static long nanos(Duration d) {
        return d == null || d.isNegative() ? 0 : d.toNanos();
    }

    /** A claimed position for this call, or -1 if it is not to be recorded (counted). */
    private long claim() {
        if (caller.closing()) {
            pipeline.countIgnoredAfterEnd();
            return -1;
        }
        return front.claim();
    }

    /** Copying the call failed (a map changed under us, a value's toString threw): skip the slot. */
    private void failed(RecordRing r, int i) {
        r.skip(i);
        pipeline.countDroppedClaimed();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "{id=" + id() + "}";
    }
}
