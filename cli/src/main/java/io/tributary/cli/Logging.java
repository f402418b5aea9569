package io.tributary.cli;

import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.Locale;

/**
 * Configures the CLI's logging backend (slf4j-simple) by system properties, which it reads when the first logger is
 * made: so this runs before anything logs. Log lines go to stderr with an ISO-8601 timestamp; Tributary's loggers
 * ({@code io.tributary}) log at {@code --log-level} (default warn: the CLI prints its own progress), every other
 * library at {@code --third-party-log-level} (default warn). A system property set on the command line wins.
 * Libraries that log through {@code java.util.logging} (the MySQL binlog client, pgjdbc) get the third-party level
 * and the same timestamped one-line format.
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
        if ("warn".equals(others)) {
            // the Azure SDK warns once per request over the JDK HttpClient that it may not set content-length (the
            // JDK sets it itself): harmless, and it would drown every other line of an Azure sync
            setDefault(PREFIX + "log.com.azure.core.http.jdk.httpclient", "error");
        }
        // java.util.logging: one line, timestamped like slf4j-simple's (read when SimpleFormatter is first used)
        setDefault("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL%1$tz %4$s %3$s - %5$s%6$s%n");
        Level jul = julLevel(others);
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.setLevel(jul);
        for (Handler h : root.getHandlers()) {
            h.setLevel(jul);
        }
    }

    private static Level julLevel(String level) {
        return switch (level) {
            case "trace" -> Level.FINEST;
            case "debug" -> Level.FINE;
            case "info" -> Level.INFO;
            case "warn" -> Level.WARNING;
            case "error" -> Level.SEVERE;
            default -> Level.OFF;
        };
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
