package io.tributary.types;

/** What a record means for the destination row with its {@code _olake_id}. */
public enum OpType {
    /** Read by backfill. */
    READ("r"),
    /** Inserted, seen in the change log. */
    CREATE("c"),
    /** Updated (or read by an incremental sync). */
    UPDATE("u"),
    /** Deleted; the record holds the last known values (at least the key). */
    DELETE("d"),
    /** Inserted during the backfill overlap window: may already be in the destination, so upsert it. */
    INSERT_OVERLAP("i");

    private final String code;

    OpType(String code) {
        this.code = code;
    }

    /** The one-letter {@code _op_type} value. */
    public String code() {
        return code;
    }

    public static OpType fromCode(String code) {
        for (OpType t : values()) {
            if (t.code.equals(code)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown _op_type " + code);
    }
}
