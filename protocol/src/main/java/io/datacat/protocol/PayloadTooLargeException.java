package io.datacat.protocol;

/** A request body larger than the configured limit (after gzip inflation). */
public class PayloadTooLargeException extends InvalidInputException {
    private static final long serialVersionUID = 1L;

    private final long limitBytes;

    public PayloadTooLargeException(long limitBytes) {
        super("request body is larger than the limit of " + limitBytes + " bytes; send smaller batches");
        this.limitBytes = limitBytes;
    }

    public long limitBytes() {
        return limitBytes;
    }
}
