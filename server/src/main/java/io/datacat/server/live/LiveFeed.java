package io.datacat.server.live;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.datacat.protocol.Json;
import io.datacat.server.ingest.CommitListener;
import io.datacat.server.query.RecordJson;
import io.datacat.server.query.SessionJson;
import io.datacat.server.store.SessionRow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Pushes what ingest commits, and the sessions the abnormal sweeper marks, to the clients
 * watching a session (the web UI's live updates, over server-sent events). Ingest only hands each watched session's new records to its
 * watchers' bounded queues and returns; sender threads write them out. A session nobody
 * watches costs ingest one map lookup per batch.
 *
 * <p>Events: {@code session} (the session summary, after every write that touched it),
 * {@code records} (a JSON array of its new records, at most {@value #MAX_RECORDS_PER_EVENT}),
 * {@code gap} ({@code {"records": n}}: a write brought more records than one event carries,
 * read them with the query routes), {@code overflow} (the watcher fell more than
 * {@value #MAX_QUEUED_EVENTS} events behind and those were dropped: reload), {@code missed}
 * ({@code {}}: the server could not hear the database's writes for a while, so records stored
 * meanwhile were not pushed: reload).
 */
public final class LiveFeed implements CommitListener, AutoCloseable {
    /** Events queued per watcher at most; a watcher that falls further behind is told to reload. */
    public static final int MAX_QUEUED_EVENTS = 256;
    /** Records sent in one {@code records} event at most. */
    public static final int MAX_RECORDS_PER_EVENT = 500;
    /** Watchers at once, over all sessions. */
    public static final int MAX_WATCHERS = 1_000;
    /** A comment goes to every watcher this often, so connections that died are noticed and closed. */
    static final long KEEPALIVE_SECONDS = 15;

    private static final Logger LOG = LoggerFactory.getLogger(LiveFeed.class);

    private final Map<String, Set<Watcher>> bySession = new ConcurrentHashMap<>();
    private final AtomicInteger watchers = new AtomicInteger();
    private final ExecutorService senders;
    private final ScheduledExecutorService keepAlive;

    public LiveFeed() {
        senders = Executors.newFixedThreadPool(4, daemonThreads("datacat-live-sender"));
        keepAlive = Executors.newSingleThreadScheduledExecutor(daemonThreads("datacat-live-keepalive"));
        keepAlive.scheduleWithFixedDelay(this::ping, KEEPALIVE_SECONDS, KEEPALIVE_SECONDS, TimeUnit.SECONDS);
    }

    /** Where a watcher's events go: a server-sent-events connection, or a test's list. */
    public interface Sink {
        /** Writes one event; false when the connection is gone. May block while the client is slow. */
        boolean send(String event, String data);

        /** Writes a comment line (keeps proxies and the connection check busy); false when gone. */
        boolean comment(String text);

        void close();
    }

    /**
     * A place among the {@value #MAX_WATCHERS} watchers, taken before a connection starts its
     * stream so that a full feed can still be answered with an error. Closing it gives it back,
     * unless a watch took it over (the watch gives it back when it stops).
     */
    public final class Slot implements AutoCloseable {
        private final AtomicBoolean held = new AtomicBoolean(true);

        private Slot() {
        }

        private void handOver() {
            if (!held.compareAndSet(true, false)) {
                throw new IllegalStateException("this slot was given back or is in use");
            }
        }

        @Override
        public void close() {
            if (held.compareAndSet(true, false)) {
                watchers.decrementAndGet();
            }
        }
    }

    /**
     * Takes a place for one watcher.
     *
     * @throws TooManyWatchersException when {@value #MAX_WATCHERS} are taken
     */
    public Slot reserve() {
        if (watchers.incrementAndGet() > MAX_WATCHERS) {
            watchers.decrementAndGet();
            throw new TooManyWatchersException(MAX_WATCHERS);
        }
        return new Slot();
    }

    /**
     * Starts sending {@code sid}'s new records to {@code sink} in the place {@code slot} took,
     * beginning with a {@code session} event that shows the session as it is.
     */
    public AutoCloseable watch(Slot slot, SessionRow session, Sink sink) {
        Event first = new Event("session", SessionJson.summary(session).toString());
        slot.handOver();
        Watcher w = new Watcher(session.id(), sink);
        bySession.compute(session.id(), (k, ws) -> {
            Set<Watcher> set = ws == null ? ConcurrentHashMap.newKeySet() : ws;
            set.add(w);
            return set;
        });
        w.offer(first);
        return w::stop;
    }

    /** Whether a client is watching the session now. */
    public boolean isWatched(String sid) {
        Set<Watcher> ws = bySession.get(sid);
        return ws != null && !ws.isEmpty();
    }

    /** The sessions someone watches now. */
    public List<String> watchedSessions() {
        List<String> sids = new ArrayList<>();
        bySession.forEach((sid, ws) -> {
            if (!ws.isEmpty()) {
                sids.add(sid);
            }
        });
        return sids;
    }

    /** Watchers connected now, and places taken for connections about to start. */
    public int watcherCount() {
        return watchers.get();
    }

    @Override
    public void committed(Committed committed) {
        for (SessionRow row : committed.sessions()) {
            Set<Watcher> ws = bySession.get(row.id());
            if (ws == null || ws.isEmpty()) {
                continue;
            }
            List<Event> events = eventsFor(row, committed.records());
            for (Watcher w : ws) {
                events.forEach(w::offer);
            }
        }
    }

    /**
     * A write stored {@code stored} records of the session: those given, or, when more than an
     * event carries, none (the watchers are told how many to read with the query routes).
     */
    public void stored(SessionRow row, List<CommitListener.CommittedRecord> records, long stored) {
        Set<Watcher> ws = bySession.get(row.id());
        if (ws == null || ws.isEmpty()) {
            return;
        }
        List<Event> events = eventsFor(row, records, stored);
        for (Watcher w : ws) {
            events.forEach(w::offer);
        }
    }

    private static List<Event> eventsFor(SessionRow row, List<CommitListener.CommittedRecord> records) {
        long count = records.stream().filter(r -> r.sid().equals(row.id())).count();
        return eventsFor(row, records, count);
    }

    private static List<Event> eventsFor(SessionRow row, List<CommitListener.CommittedRecord> records, long count) {
        List<Event> events = new ArrayList<>(2);
        ArrayNode items = Json.mapper().createArrayNode();
        if (count <= MAX_RECORDS_PER_EVENT) {
            for (CommitListener.CommittedRecord r : records) {
                if (r.sid().equals(row.id())) {
                    items.add(RecordJson.of(r.record()));
                }
            }
        }
        if (count > MAX_RECORDS_PER_EVENT) {
            events.add(new Event("gap", Json.mapper().createObjectNode().put("records", count).toString()));
        } else if (count > 0) {
            events.add(new Event("records", items.toString()));
        }
        events.add(new Event("session", SessionJson.summary(row).toString()));
        return events;
    }

    /** Every watcher, of every session, is told that writes went unheard and to read again. */
    public void missed() {
        Event missed = new Event("missed", "{}");
        for (Set<Watcher> ws : bySession.values()) {
            ws.forEach(w -> w.offer(missed));
        }
    }

    private void ping() {
        for (Set<Watcher> ws : bySession.values()) {
            ws.forEach(Watcher::ping);
        }
    }

    @Override
    public void close() {
        keepAlive.shutdownNow();
        for (Set<Watcher> ws : bySession.values()) {
            ws.forEach(Watcher::stop);
        }
        senders.shutdownNow();
    }

    private record Event(String name, String data) {
        static final Event OVERFLOW = new Event("overflow", "{}");
        static final Event PING = new Event(null, "ping");
    }

    /** One connection: a bounded queue, drained by one sender thread at a time. */
    private final class Watcher {
        private final String sid;
        private final Sink sink;
        private final ArrayDeque<Event> queue = new ArrayDeque<>();
        private boolean draining;
        private boolean stopped;

        Watcher(String sid, Sink sink) {
            this.sid = sid;
            this.sink = sink;
        }

        void offer(Event e) {
            synchronized (this) {
                if (stopped) {
                    return;
                }
                if (queue.size() >= MAX_QUEUED_EVENTS) {
                    // Behind by more than the bound: drop what waits and say so, never block ingest.
                    queue.clear();
                    queue.add(Event.OVERFLOW);
                } else {
                    queue.add(e);
                }
                if (draining) {
                    return;
                }
                draining = true;
            }
            try {
                senders.execute(this::drain);
            } catch (RejectedExecutionException closing) {
                stop();
            }
        }

        void ping() {
            offer(Event.PING);
        }

        private void drain() {
            while (true) {
                Event e;
                synchronized (this) {
                    e = queue.poll();
                    if (e == null || stopped) {
                        draining = false;
                        return;
                    }
                }
                boolean sent = e.name() == null ? sink.comment(e.data()) : sink.send(e.name(), e.data());
                if (!sent) {
                    stop();
                    return;
                }
            }
        }

        void stop() {
            synchronized (this) {
                if (stopped) {
                    return;
                }
                stopped = true;
                queue.clear();
            }
            bySession.computeIfPresent(sid, (k, ws) -> {
                ws.remove(this);
                return ws.isEmpty() ? null : ws;
            });
            watchers.decrementAndGet();
            try {
                sink.close();
            } catch (RuntimeException e) {
                LOG.debug("closing a live connection failed: {}", e.getMessage());
            }
        }
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
