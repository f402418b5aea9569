package io.tributary.types;

/**
 * Root of every error Tributary throws. Unchecked, so that callbacks and lambdas can carry it.
 *
 * <p>The subclass tells the caller what to do: {@link ConfigException} (fix the configuration),
 * {@link RetriableException} (the orchestrator retries with backoff), {@link NonRetriableException}
 * (stop the run). Messages name the stream, chunk, column and value at fault and never contain a
 * password, token or connection string with credentials.
 */
public class TributaryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TributaryException(String message) {
        super(message);
    }

    public TributaryException(String message, Throwable cause) {
        super(message, cause);
    }
}
