package io.tributary.examples.cli;

import java.util.List;
import java.util.Locale;

/**
 * Configures the CLI's logging backend (slf4j-simple) by system properties, which it reads when the first logger is
 * made: so this runs before anything logs. Log lines go to stderr with an ISO-8601 timestamp; Tributary's loggers
 * ({@code io.tributary}) log at {@code --log-level} (default warn: the CLI prints its own progress), every other
 * library at {@code --third-party-log-level} (default warn). A system property set on the command line wins.
 */
final class Logging {
    static final List<String> LEVELS = List.of("trace", "debug", "info", "warn", "error", "off");
    private static final String PREFIX = "org.slf4j.simpleLogger.";

    private Logging() {
    }

    /** Reads {@code --log-level} and {@code --third-party-log-level} from the raw arguments and applies them. */
    static void configure(String... args) {
        String own = value(args, "--log-level", "warn");
        String others = value(args, "--third-party-log-level", "warn");
        setDefault(PREFIX + "logFile", "System.err");
        setDefault(PREFIX + "showDateTime", "true");
        setDefault(PREFIX + "dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
        setDefault(PREFIX + "showThreadName", "false");
        setDefault(PREFIX + "showShortLogName", "true");
        setDefault(PREFIX + "defaultLogLevel", others);
        setDefault(PREFIX + "log.io.tributary", own);
    }

    private static String value(String[] args, String option, String fallback) {
        String found = fallback;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(option) && i + 1 < args.length) {
                found = args[i + 1];
            } else if (args[i].startsWith(option + "=")) {
                found = args[i].substring(option.length() + 1);
            }
        }
        String level = found.toLowerCase(Locale.ROOT);
        return LEVELS.contains(level) ? level : fallback; // picocli rejects a bad value with the list
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
