package io.tributary.writer;

import io.tributary.types.Schema;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Computes {@code _olake_id}, the destination's upsert key, as OLake does: the value itself for a one-column
 * primary key, the MD5 of the key values joined by {@code '|'} for a composite key, and the MD5 of every value
 * for a stream without a key. Values are rendered canonically so that the same row read by backfill and by CDC
 * gets the same ID ({@code 10} and {@code 10L} alike, decimals without trailing zeros, bytes as hex).
 */
public final class OlakeId {
    private final int[] keyPositions;

    private OlakeId(int[] keyPositions) {
        this.keyPositions = keyPositions;
    }

    /** The ID function for a schema and its key columns (empty: hash of the whole row). */
    public static OlakeId forKey(Schema schema, List<String> primaryKey) {
        int[] pos = new int[primaryKey.size()];
        for (int i = 0; i < pos.length; i++) {
            pos[i] = schema.indexOf(primaryKey.get(i));
            if (pos[i] < 0) {
                throw new IllegalArgumentException("primary key column " + primaryKey.get(i) + " not in " + schema);
            }
        }
        return new OlakeId(pos);
    }

    public String of(Object[] values) {
        if (keyPositions.length == 1) {
            return render(values[keyPositions[0]]);
        }
        MessageDigest md = md5();
        if (keyPositions.length == 0) {
            for (int i = 0; i < values.length; i++) {
                if (i > 0) {
                    md.update((byte) '|');
                }
                md.update(render(values[i]).getBytes(StandardCharsets.UTF_8));
            }
        } else {
            for (int i = 0; i < keyPositions.length; i++) {
                if (i > 0) {
                    md.update((byte) '|');
                }
                md.update(render(values[keyPositions[i]]).getBytes(StandardCharsets.UTF_8));
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static String render(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return Long.toString(((Number) v).longValue());
        }
        if (v instanceof BigDecimal d) {
            return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
        }
        if (v instanceof byte[] b) {
            return HexFormat.of().formatHex(b);
        }
        return v.toString();
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
