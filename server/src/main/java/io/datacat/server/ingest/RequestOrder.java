package io.datacat.server.ingest;

import io.datacat.protocol.InvalidInputException;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stores the requests of one sender's stream in the order the sender numbered them, so a
 * daemon can keep two batches in flight (the server parses the second while it stores the
 * first) and still have its records applied in order. A stream is named by the sender and
 * numbered from 1; request n is stored only after request n - 1 of its stream committed. If
 * n - 1 failed, or has not come within {@link #WAIT}, n is refused with
 * {@link OutOfOrderException} (a 503: the sender resends from its oldest unacknowledged batch,
 * under a new stream). Requests without a ticket are stored as they come.
 */
public final class RequestOrder {
    /** The header a sender puts on each request: {@code <stream>/<n>}. */
    public static final String HEADER = "Datacat-Order";
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

    /**
     * Returns once the ticket's request may be stored.
     *
     * @throws OutOfOrderException when an earlier request of its stream failed or did not come in time
     */
    synchronized void awaitTurn(Ticket t) {
        Stream s = streams.computeIfAbsent(t.stream(), k -> new Stream());
        long deadline = System.nanoTime() + waitNanos;
        while (t.n() > 1 && s.committed < t.n() - 1) {
            if (s.failed < t.n()) {
                throw new OutOfOrderException("request " + (t.n() - 1) + " of stream " + t.stream()
                        + " was not stored; resend from the oldest unacknowledged batch");
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new OutOfOrderException("request " + (t.n() - 1) + " of stream " + t.stream() + " did not come "
                        + "within " + waitNanos / 1_000_000_000L + " s; resend from the oldest unacknowledged batch");
            }
            try {
                wait(left / 1_000_000 + 1);
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
        if (stored) {
            s.committed = Math.max(s.committed, t.n());
        } else {
            s.failed = Math.min(s.failed, t.n());
        }
        notifyAll();
    }
}
