package io.tributary.types;

/** A failure that a retry cannot fix (unsupported type, purged log position): the run stops. */
public class NonRetriableException extends TributaryException {
    private static final long serialVersionUID = 1L;

    public NonRetriableException(String message) {
        super(message);
    }

    public NonRetriableException(String message, Throwable cause) {
        super(message, cause);
    }
}
