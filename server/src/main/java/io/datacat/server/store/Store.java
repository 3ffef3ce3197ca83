package io.datacat.server.store;

/**
 * Where sessions and records live. Writes are serialized and each {@link #write} is one
 * transaction: committed when the work returns, rolled back when it throws. Reads run
 * beside writes and never wait for them.
 */
public interface Store extends AutoCloseable {

    /** Work done inside one transaction. */
    @FunctionalInterface
    interface Work<T, X> {
        T run(X tx);
    }

    <T> T write(Work<T, WriteTransaction> work);

    <T> T read(Work<T, ReadTransaction> work);

    /** Whether other servers may write to the same database at the same time. */
    default boolean sharedByServers() {
        return false;
    }

    /**
     * Has {@code listener} told, on a thread of the store's and in commit order, what every
     * server sharing the database commits, this one's writes included, and when some may have
     * gone unheard. A store no other server writes to never calls it.
     */
    default void onChanges(ChangeListener listener) {
    }

    /** A line for the startup message, e.g. {@code SQLite /data/datacat.db}. */
    String describe();

    @Override
    void close();
}
