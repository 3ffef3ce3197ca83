package io.datacat.server.query;

/** A query names something (other than a session) that does not exist: a 404 with this message. */
public final class NotFoundException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String message) {
        super(message);
    }
}
