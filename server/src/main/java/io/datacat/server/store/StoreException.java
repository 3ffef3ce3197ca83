package io.datacat.server.store;

/** The database failed (I/O, corruption, a bug in a query): never the client's fault. */
public class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
