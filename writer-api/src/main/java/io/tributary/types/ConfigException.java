package io.tributary.types;

/** The configuration (a key, its value, a missing grant or server setting) is wrong: fix it and run again. */
public class ConfigException extends NonRetriableException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
