package io.tributary.driver.jdbc;

/** Helpers of the drivers' translation of {@link java.sql.SQLException}s into Tributary's exceptions. */
public final class JdbcErrors {
    private JdbcErrors() {
    }

    /** Whether {@code t} or one of its causes is a {@code type} (an {@code UnknownHostException} under the driver's). */
    public static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    /** {@code message} ("" for null) with every occurrence of {@code secret} (unless empty) replaced by {@code ****}. */
    public static String masked(String message, String secret) {
        String m = message == null ? "" : message;
        return secret == null || secret.isEmpty() ? m : m.replace(secret, "****");
    }
}
