package io.datacat.server.store;

import io.datacat.protocol.SessionCounters;

import java.util.Objects;

/**
 * One session as stored. Times are microseconds since the epoch: {@code createdAt} is the
 * client's {@code session_start} time, {@code lastSeen} the server's time of the last batch
 * that named the session.
 *
 * @param sk          the store's surrogate key (0 before the row is inserted)
 * @param placeholder true while only records other than {@code session_start} have arrived:
 *                    product and version are {@code unknown} until it does
 * @param crashDetail JSON object text, or null
 * @param state       the current state as JSON object text
 * @param stateKey    the last patch merged into {@code state}, or null before the first one
 */
public record SessionRow(long sk, String id, String product, String version, String hostname, String machineId,
                         Long pid, String client, long createdAt, Long endedAt, long lastSeen, SessionStatus status,
                         boolean hung, long hangCount, String crashReason, String crashDetail, String state,
                         StateKey stateKey, RecordCounts counts, SessionCounters counters, boolean placeholder) {

    /** Product and version of a session whose {@code session_start} has not arrived yet. */
    public static final String UNKNOWN = "unknown";

    public SessionRow {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(product, "product");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(counts, "counts");
        Objects.requireNonNull(counters, "counters");
    }

    /** A new active placeholder session first heard of at {@code createdAt}. */
    public static Builder placeholder(String id, long createdAt, long now) {
        Builder b = new Builder();
        b.id = id;
        b.product = UNKNOWN;
        b.version = UNKNOWN;
        b.createdAt = createdAt;
        b.lastSeen = now;
        b.status = SessionStatus.ACTIVE;
        b.state = "{}";
        b.counts = RecordCounts.ZERO;
        b.counters = SessionCounters.NONE;
        b.placeholder = true;
        return b;
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.sk = sk;
        b.id = id;
        b.product = product;
        b.version = version;
        b.hostname = hostname;
        b.machineId = machineId;
        b.pid = pid;
        b.client = client;
        b.createdAt = createdAt;
        b.endedAt = endedAt;
        b.lastSeen = lastSeen;
        b.status = status;
        b.hung = hung;
        b.hangCount = hangCount;
        b.crashReason = crashReason;
        b.crashDetail = crashDetail;
        b.state = state;
        b.stateKey = stateKey;
        b.counts = counts;
        b.counters = counters;
        b.placeholder = placeholder;
        return b;
    }

    /** Mutable copy of a row, for applying a batch's effects before writing the row once. */
    public static final class Builder {
        private long sk;
        private String id;
        private String product;
        private String version;
        private String hostname;
        private String machineId;
        private Long pid;
        private String client;
        private long createdAt;
        private Long endedAt;
        private long lastSeen;
        private SessionStatus status;
        private boolean hung;
        private long hangCount;
        private String crashReason;
        private String crashDetail;
        private String state;
        private StateKey stateKey;
        private RecordCounts counts;
        private SessionCounters counters;
        private boolean placeholder;

        private Builder() {
        }

        public Builder sk(long v) {
            sk = v;
            return this;
        }

        /** Fills what a {@code session_start} tells and ends the placeholder state. */
        public Builder started(String product, String version, String hostname, String machineId, Long pid,
                               String client, long createdAt) {
            this.product = product;
            this.version = version;
            this.hostname = hostname;
            this.machineId = machineId;
            this.pid = pid;
            this.client = client;
            this.createdAt = createdAt;
            this.placeholder = false;
            return this;
        }

        public Builder endedAt(Long v) {
            endedAt = v;
            return this;
        }

        public Builder lastSeen(long v) {
            lastSeen = v;
            return this;
        }

        public Builder status(SessionStatus v) {
            status = v;
            return this;
        }

        public Builder hung(boolean v) {
            hung = v;
            return this;
        }

        public Builder hangCount(long v) {
            hangCount = v;
            return this;
        }

        public Builder crash(String reason, String detailJson) {
            crashReason = reason;
            crashDetail = detailJson;
            return this;
        }

        public Builder state(String json, StateKey key) {
            state = json;
            stateKey = key;
            return this;
        }

        public Builder counts(RecordCounts v) {
            counts = v;
            return this;
        }

        public Builder counters(SessionCounters v) {
            counters = v;
            return this;
        }

        public boolean isPlaceholder() {
            return placeholder;
        }

        public SessionStatus status() {
            return status;
        }

        public long hangCount() {
            return hangCount;
        }

        public String state() {
            return state;
        }

        public StateKey stateKey() {
            return stateKey;
        }

        public RecordCounts counts() {
            return counts;
        }

        public SessionCounters counters() {
            return counters;
        }

        public long sk() {
            return sk;
        }

        public SessionRow build() {
            return new SessionRow(sk, id, product, version, hostname, machineId, pid, client, createdAt, endedAt,
                    lastSeen, status, hung, hangCount, crashReason, crashDetail, state, stateKey, counts, counters,
                    placeholder);
        }
    }
}
