package io.datacat.server.store;

/**
 * The database cannot take the write right now (locked by another process, disk full,
 * read-only file system). Nothing was stored; a sender should retry later.
 */
public class StoreUnavailableException extends StoreException {
    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
