package io.datacat.server.live;

/** The live feed has as many watchers as it allows; the client should retry later. */
public final class TooManyWatchersException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooManyWatchersException(int max) {
        super("too many live connections (" + max + "); close some pages or retry later");
    }
}
