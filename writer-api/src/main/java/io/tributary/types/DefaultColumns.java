package io.tributary.types;

import java.util.List;

/** The columns every record carries besides the source's, named as in OLake so destinations stay compatible. */
public final class DefaultColumns {
    /** Hash of the primary key values (the key itself for a one-column key); the upsert key. STRING. */
    public static final String OLAKE_ID = "_olake_id";
    /** When Tributary read the row. TIMESTAMP_MICRO. */
    public static final String OLAKE_TIMESTAMP = "_olake_timestamp";
    /** {@link OpType} code. STRING. */
    public static final String OP_TYPE = "_op_type";
    /** Commit time of the change in the source (null for backfill). TIMESTAMP_MICRO. */
    public static final String CDC_TIMESTAMP = "_cdc_timestamp";

    /** The default columns as fields, in the order writers append them after the source columns. */
    public static final List<Field> FIELDS = List.of(
            Field.of(OLAKE_ID, DataType.STRING, false),
            Field.of(OLAKE_TIMESTAMP, DataType.TIMESTAMP_MICRO, false),
            Field.of(OP_TYPE, DataType.STRING, false),
            Field.of(CDC_TIMESTAMP, DataType.TIMESTAMP_MICRO, true));

    private DefaultColumns() {
    }

    public static boolean isDefault(String column) {
        return column.equals(OLAKE_ID) || column.equals(OLAKE_TIMESTAMP) || column.equals(OP_TYPE)
                || column.equals(CDC_TIMESTAMP);
    }
}
