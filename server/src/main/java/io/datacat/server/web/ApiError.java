package io.datacat.server.web;

/** An HTTP error decided by routing (wrong method, unknown path), answered as JSON. */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;

    ApiError(int status, String message) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }
}
