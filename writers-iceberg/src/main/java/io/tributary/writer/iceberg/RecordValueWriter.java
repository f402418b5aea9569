package io.tributary.writer.iceberg;

import io.tributary.types.DefaultColumns;
import io.tributary.types.NonRetriableException;
import io.tributary.writer.Record;
import io.tributary.writer.ValueGuard;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.parquet.ParquetValueWriter;
import org.apache.iceberg.parquet.ParquetValueWriters;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;

/**
 * Writes a Tributary {@link Record} as one row of an Iceberg data file, without building an Iceberg
 * {@code GenericRecord} first: each table column's value is taken from the record and converted straight to what
 * Iceberg's Parquet value writers take (timestamps as epoch microseconds, dates as epoch days, decimals at the
 * column's scale). Strings are written as array-backed {@link Binary}s (Iceberg's own string writer makes
 * ByteBuffer-backed ones, whose hashing for the dictionary and comparing for min/max statistics go byte by byte).
 * The per-column writers are Iceberg's, so the file's metrics (NaN counts included) are what Iceberg computes.
 *
 * <p>A table column that the record's schema lacks (dropped at the source, or renamed) is written as null.
 */
final class RecordValueWriter extends ParquetValueWriters.StructWriter<Record> {
    private static final int OLAKE_ID = -1;
    private static final int OLAKE_TIMESTAMP = -2;
    private static final int OP_TYPE = -3;
    private static final int CDC_TIMESTAMP = -4;
    private static final int ABSENT = -5;

    private final Type[] types;
    private final String[] names;
    /** Per table column: the record position it comes from, or one of the negative codes above. */
    private int[] source;
    private Instant lastOlakeTimestamp;
    private Long lastOlakeMicros;

    private RecordValueWriter(List<ParquetValueWriter<?>> writers, Type[] types, String[] names) {
        super(writers);
        this.types = types;
        this.names = names;
    }

    /** The writer of rows of {@code sourceSchema} into files of the table schema {@code schema}. */
    static RecordValueWriter create(Schema schema, io.tributary.types.Schema sourceSchema, MessageType file) {
        List<Types.NestedField> cols = schema.columns();
        List<ParquetValueWriter<?>> writers = new ArrayList<>(cols.size());
        Type[] types = new Type[cols.size()];
        String[] names = new String[cols.size()];
        for (int i = 0; i < cols.size(); i++) {
            Types.NestedField f = cols.get(i);
            types[i] = f.type();
            names[i] = f.name();
            org.apache.parquet.schema.Type fileType = file.getType(i); // Parquet's name may be escaped: by position
            ColumnDescriptor desc = file.getColumns().get(i);
            ParquetValueWriter<?> w = primitive(f.type(), desc);
            writers.add(f.isOptional() ? ParquetValueWriters.option(fileType, desc.getMaxDefinitionLevel(), w) : w);
        }
        RecordValueWriter writer = new RecordValueWriter(writers, types, names);
        writer.bind(sourceSchema);
        return writer;
    }

    /** Takes values from records of {@code sourceSchema} from now on (the table schema stays the same). */
    void bind(io.tributary.types.Schema sourceSchema) {
        int[] s = new int[names.length];
        for (int i = 0; i < names.length; i++) {
            s[i] = switch (names[i]) {
                case DefaultColumns.OLAKE_ID -> OLAKE_ID;
                case DefaultColumns.OLAKE_TIMESTAMP -> OLAKE_TIMESTAMP;
                case DefaultColumns.OP_TYPE -> OP_TYPE;
                case DefaultColumns.CDC_TIMESTAMP -> CDC_TIMESTAMP;
                default -> sourceSchema.indexOf(names[i]) >= 0 ? sourceSchema.indexOf(names[i]) : ABSENT;
            };
        }
        this.source = s;
    }

    private static ParquetValueWriter<?> primitive(Type type, ColumnDescriptor desc) {
        return switch (type.typeId()) {
            case BOOLEAN -> ParquetValueWriters.booleans(desc);
            case INTEGER, DATE -> ParquetValueWriters.ints(desc);
            case LONG, TIME, TIMESTAMP -> ParquetValueWriters.longs(desc);
            case FLOAT -> ParquetValueWriters.floats(desc);
            case DOUBLE -> ParquetValueWriters.doubles(desc);
            case STRING -> new StringWriter(desc);
            case BINARY -> ParquetValueWriters.byteBuffers(desc);
            case DECIMAL -> {
                Types.DecimalType d = (Types.DecimalType) type;
                if (d.precision() <= 9) {
                    yield ParquetValueWriters.decimalAsInteger(desc, d.precision(), d.scale());
                }
                if (d.precision() <= 18) {
                    yield ParquetValueWriters.decimalAsLong(desc, d.precision(), d.scale());
                }
                yield ParquetValueWriters.decimalAsFixed(desc, d.precision(), d.scale());
            }
            default -> throw new NonRetriableException("iceberg writer: column " + desc + " has type " + type
                    + ", which this writer does not write");
        };
    }

    @Override
    protected Object get(Record r, int i) {
        int s = source[i];
        return switch (s) {
            case OLAKE_ID -> r.olakeId();
            case OLAKE_TIMESTAMP -> olakeMicros(r.olakeTimestamp());
            case OP_TYPE -> r.op().code();
            case CDC_TIMESTAMP -> r.cdcTimestamp() == null ? null : micros(r.cdcTimestamp());
            case ABSENT -> null;
            default -> value(r.value(s), i);
        };
    }

    private Long olakeMicros(Instant t) {
        if (t != lastOlakeTimestamp) { // one per chunk or batch: convert it once
            lastOlakeTimestamp = t;
            lastOlakeMicros = micros(t);
        }
        return lastOlakeMicros;
    }

    /** A source value as the column's Parquet value writer takes it (see {@link IcebergSchemas} for the types). */
    private Object value(Object v, int i) {
        if (v == null) {
            return null;
        }
        Type type = types[i];
        try {
            return switch (type.typeId()) {
                case INTEGER -> ((Number) v).intValue();
                case LONG -> ((Number) v).longValue();
                case FLOAT -> ((Number) v).floatValue();
                case DOUBLE -> ((Number) v).doubleValue();
                case DECIMAL -> decimal(v, (Types.DecimalType) type, names[i]);
                case TIMESTAMP -> micros((Instant) v);
                case DATE -> Math.toIntExact(((LocalDate) v).toEpochDay());
                case TIME -> ((LocalTime) v).toNanoOfDay() / 1000;
                case BINARY -> v instanceof byte[] b ? ByteBuffer.wrap(b) : v;
                case STRING -> IcebergSchemas.value(v, type, names[i]);
                default -> v;
            };
        } catch (ClassCastException | ArithmeticException e) {
            throw new NonRetriableException("iceberg writer: column " + names[i] + " of type " + type
                    + " cannot hold a value of " + v.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    private static BigDecimal decimal(Object v, Types.DecimalType type, String column) {
        BigDecimal d = v instanceof BigDecimal b ? b : new BigDecimal(v.toString());
        BigDecimal scaled;
        try {
            scaled = d.setScale(type.scale(), RoundingMode.UNNECESSARY);
        } catch (ArithmeticException e) {
            throw new NonRetriableException("iceberg writer: column " + column + ": value " + d
                    + " does not fit decimal scale " + type.scale(), e);
        }
        if (scaled.precision() > type.precision()) {
            throw new NonRetriableException("iceberg writer: column " + column + " holds " + type + " but value " + d
                    + " has " + scaled.precision() + " digits");
        }
        return scaled;
    }

    static long micros(Instant t) {
        return ValueGuard.epochMicros(t);
    }

    /**
     * Per position of {@code sourceSchema}: what the table column it is written to cannot hold (the table's type, which
     * may differ from the source field's: a column created as a decimal stays one), or null when it holds every value.
     */
    static ValueGuard.Check[] checks(Schema schema, io.tributary.types.Schema sourceSchema) {
        ValueGuard.Check[] checks = new ValueGuard.Check[sourceSchema.size()];
        for (Types.NestedField f : schema.columns()) {
            int s = sourceSchema.indexOf(f.name());
            if (s < 0) {
                continue;
            }
            checks[s] = switch (f.type().typeId()) {
                case DECIMAL -> {
                    Types.DecimalType d = (Types.DecimalType) f.type();
                    yield ValueGuard.decimal(d.precision(), d.scale());
                }
                case DATE -> ValueGuard.epochDays();
                case TIMESTAMP -> ValueGuard.timestampMicros();
                default -> null;
            };
        }
        return checks;
    }

    /** UTF-8 bytes in an array-backed Binary (cheap to hash and compare). */
    private static final class StringWriter extends ParquetValueWriters.PrimitiveWriter<CharSequence> {
        StringWriter(ColumnDescriptor desc) {
            super(desc);
        }

        @Override
        public void write(int repetitionLevel, CharSequence value) {
            column.writeBinary(repetitionLevel,
                    Binary.fromConstantByteArray(value.toString().getBytes(StandardCharsets.UTF_8)));
        }
    }
}
