package io.datacat.daemon.session;

/** A request names a session that cannot take it; {@link #status()} is the HTTP status to answer. */
public final class SessionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;

    private SessionException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The compatible daemon's answer for an unknown {@code session_id}. */
    public static SessionException notFound() {
        return new SessionException(404, "Session not found");
    }

    public static SessionException notCompat(String sid) {
        return new SessionException(409, "session " + sid + " belongs to a client that numbers its own records; "
                + "it sends them in POST /v1/batch, not through the compatible routes");
    }

    public int status() {
        return status;
    }
}
