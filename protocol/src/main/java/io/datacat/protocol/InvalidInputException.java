package io.datacat.protocol;

/**
 * Input that breaks the protocol or one of its limits. The message is written for the
 * person who sent it; {@link #field()} names the offending field as a JSON path
 * ({@code records[3].name}) when one is known.
 */
public class InvalidInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String field;

    public InvalidInputException(String message, String field) {
        super(message);
        this.field = field;
    }

    public InvalidInputException(String message) {
        this(message, null);
    }

    /** The JSON path of the offending field, or null. */
    public String field() {
        return field;
    }
}
