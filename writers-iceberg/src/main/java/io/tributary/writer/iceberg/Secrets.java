package io.tributary.writer.iceberg;

import java.util.Map;

/** Keeps the secret values of catalog properties out of messages built from a library's exception text. */
final class Secrets {
    private Secrets() {}

    /** {@code message} with every value of a secret-looking property (see {@link IcebergConfig}) replaced. */
    static String redact(String message, Map<String, String> props) {
        if (message == null) {
            return null;
        }
        String out = message;
        for (Map.Entry<String, String> e : props.entrySet()) {
            String v = e.getValue();
            if (v != null && v.length() >= 4 && IcebergConfig.isSecretProperty(e.getKey())) {
                out = out.replace(v, "****");
            }
        }
        return out;
    }
}
