package io.datacat.server.ingest;

/** A numbered request cannot be stored in its stream's order now; the sender resends (503). */
public final class OutOfOrderException extends RuntimeException {
    public OutOfOrderException(String message) {
        super(message);
    }
}
