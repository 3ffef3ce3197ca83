package io.datacat.server.ingest;

import io.datacat.protocol.InvalidInputException;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stores the requests of one sender's stream in the order the sender numbered them, so a
 * daemon can keep two batches in flight (the server parses the second while it stores the
 * first) and still have its records applied in order. A stream is named by the sender and
 * numbered from 1; request n is stored only after request n - 1 of its stream committed. If
 * n - 1 failed, or has not even arrived within {@link #WAIT}, n is refused with
 * {@link OutOfOrderException} (a 503: the sender resends from its oldest unacknowledged batch,
 * under a new stream). While n - 1 is being read or stored, n waits for it however long that
 * takes. Requests without a ticket are stored as they come. The answers of the ingest route
 * carry {@code Datacat-Order: kept}, so a sender knows this server keeps the order before it
 * relies on it.
 */
public final class RequestOrder {
    /** The header a sender puts on each request: {@code <stream>/<n>}. */
    public static final String HEADER = "Datacat-Order";
    /** The value of {@link #HEADER} on the ingest route's answers: numbered requests are kept in order. */
    public static final String KEPT = "kept";
    static final Duration WAIT = Duration.ofSeconds(10);
    /** Streams remembered; a sender uses one at a time, so this is many senders' worth. */
    private static final int MAX_STREAMS = 4096;
    private static final Pattern TICKET = Pattern.compile("([A-Za-z0-9_-]{1,64})/([1-9][0-9]{0,17})");

    /** A request's place in its stream. */
    public record Ticket(String stream, long n) {
        /**
         * Reads the header's value; null when there is none.
         *
         * @throws io.datacat.protocol.InvalidInputException when it is malformed
         */
        public static Ticket parse(String header) {
            if (header == null) {
                return null;
            }
            Matcher m = TICKET.matcher(header.trim());
            if (!m.matches()) {
                throw new InvalidInputException(HEADER + " must be <stream>/<n>: a name of up to 64 "
                        + "letters, digits, '-' or '_', and a request number from 1, e.g. 'a1b2/1'", HEADER);
            }
            return new Ticket(m.group(1), Long.parseLong(m.group(2)));
        }
    }

    private static final class Stream {
        long committed;
        long failed = Long.MAX_VALUE;
        /** Requests that arrived and are being read or stored (a sender keeps a few in flight). */
        final Set<Long> inProgress = new HashSet<>();
    }

    private final Map<String, Stream> streams = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Stream> eldest) {
            return size() > MAX_STREAMS;
        }
    };
    private final long waitNanos;

    public RequestOrder() {
        this(WAIT);
    }

    RequestOrder(Duration wait) {
        this.waitNanos = wait.toNanos();
    }

    /** The ticket's request arrived: the one after it waits for it without a deadline. */
    synchronized void arrived(Ticket t) {
        streams.computeIfAbsent(t.stream(), k -> new Stream()).inProgress.add(t.n());
        notifyAll();
    }

    /**
     * Returns once the ticket's request may be stored.
     *
     * @throws OutOfOrderException when an earlier request of its stream failed or did not come in time
     */
    synchronized void awaitTurn(Ticket t) {
        long deadline = System.nanoTime() + waitNanos;
        Stream s = streams.computeIfAbsent(t.stream(), k -> new Stream());
        while (t.n() > 1 && s.committed < t.n() - 1) {
            if (s.failed < t.n()) {
                throw new OutOfOrderException("request " + (t.n() - 1) + " of stream " + t.stream()
                        + " was not stored; resend from the oldest unacknowledged batch");
            }
            boolean coming = s.inProgress.contains(t.n() - 1);
            long left = deadline - System.nanoTime();
            if (!coming && left <= 0) {
                throw new OutOfOrderException("request " + (t.n() - 1) + " of stream " + t.stream() + " did not come "
                        + "within " + waitNanos / 1_000_000_000L + " s; resend from the oldest unacknowledged batch");
            }
            try {
                // Woken by arrived() and finished(); the timeout only rechecks the deadline.
                wait(Math.max(1, (coming ? waitNanos : left) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new OutOfOrderException("the server is stopping");
            }
            s = streams.computeIfAbsent(t.stream(), k -> new Stream());
        }
    }

    /** The ticket's request committed ({@code stored}) or will not be. */
    synchronized void finished(Ticket t, boolean stored) {
        Stream s = streams.computeIfAbsent(t.stream(), k -> new Stream());
        s.inProgress.remove(t.n());
        if (stored) {
            s.committed = Math.max(s.committed, t.n());
        } else {
            s.failed = Math.min(s.failed, t.n());
        }
        notifyAll();
    }
}
