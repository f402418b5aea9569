package io.tributary.types;

/** A transient failure (connection dropped, server restarting): the orchestrator retries the task with backoff. */
public class RetriableException extends TributaryException {
    private static final long serialVersionUID = 1L;

    public RetriableException(String message) {
        super(message);
    }

    public RetriableException(String message, Throwable cause) {
        super(message, cause);
    }
}
