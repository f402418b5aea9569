package io.tributary.types;

/** The run was cancelled (interrupted, or a sibling task failed first). Not retried. */
public class CancelledException extends NonRetriableException {
    private static final long serialVersionUID = 1L;

    public CancelledException(String message) {
        super(message);
    }

    public CancelledException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Restores the interrupt flag and returns the exception to throw. */
    public static CancelledException interrupted(String what, InterruptedException e) {
        Thread.currentThread().interrupt();
        return new CancelledException(what + " was interrupted", e);
    }
}
