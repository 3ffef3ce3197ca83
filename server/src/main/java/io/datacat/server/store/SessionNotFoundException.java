package io.datacat.server.store;

/** No session has this id. */
public class SessionNotFoundException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SessionNotFoundException(String sessionId) {
        super("session not found: " + sessionId);
    }
}
