package io.datacat.daemon;

import java.time.Duration;

/**
 * When the daemon exits. Once the app is done (with a parent: the parent is dead and every
 * known session is final; without one: at least one session was registered and all are
 * final) the daemon exits as soon as the spool is delivered (without a parent, 2 s later,
 * unless a session registers meanwhile). If the spool cannot be delivered, it lingers up to
 * {@code linger_seconds} and exits leaving the spool for the next daemon.
 */
public final class Lifecycle {
    /** What the daemon should do now. */
    public enum Decision { STAY, EXIT_DELIVERED, EXIT_UNDELIVERED }

    /**
     * @param hasParent   a parent pid was configured
     * @param parentAlive the parent is alive (true without one)
     * @param anySession  at least one session is known
     * @param allFinal    every known session is final
     * @param delivered   the spool is fully delivered (adopted spools included)
     */
    public record Facts(boolean hasParent, boolean parentAlive, boolean anySession, boolean allFinal,
                        boolean delivered) {
    }

    private final long quietNanos;
    private final long lingerNanos;
    private long doneSince = -1;
    private long deliveredSince = -1;

    /**
     * @param quietAfterLastSession how long a daemon without a parent waits after its last session
     * @param linger                how long to keep trying to deliver once the app is done
     */
    public Lifecycle(Duration quietAfterLastSession, Duration linger) {
        this.quietNanos = quietAfterLastSession.toNanos();
        this.lingerNanos = linger.toNanos();
    }

    public synchronized Decision decide(Facts f, long nowNanos) {
        boolean appDone = f.hasParent() ? !f.parentAlive() && f.allFinal() : f.anySession() && f.allFinal();
        if (!appDone) {
            doneSince = -1;
            deliveredSince = -1;
            return Decision.STAY;
        }
        if (doneSince < 0) {
            doneSince = nowNanos;
        }
        if (f.delivered()) {
            if (deliveredSince < 0) {
                deliveredSince = nowNanos;
            }
            return f.hasParent() || nowNanos - deliveredSince >= quietNanos ? Decision.EXIT_DELIVERED : Decision.STAY;
        }
        deliveredSince = -1;
        return nowNanos - doneSince >= lingerNanos ? Decision.EXIT_UNDELIVERED : Decision.STAY;
    }
}
