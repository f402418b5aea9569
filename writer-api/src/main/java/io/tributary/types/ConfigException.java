package io.tributary.types;

/** The configuration (a key, its value, a missing grant or server setting) is wrong: fix it and run again. */
public class ConfigException extends NonRetriableException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
