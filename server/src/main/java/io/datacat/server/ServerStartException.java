package io.datacat.server;

/** The server could not start; the message says why and how to fix it, in one line. */
public class ServerStartException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ServerStartException(String message, Throwable cause) {
        super(message, cause);
    }

    public ServerStartException(String message) {
        super(message);
    }
}
