package io.tributary.writer.parquet;

import io.tributary.types.DataType;
import io.tributary.types.DefaultColumns;
import io.tributary.types.Field;
import io.tributary.types.NonRetriableException;
import io.tributary.types.OpType;
import io.tributary.types.Schema;
import io.tributary.writer.Record;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * Writes {@link Record}s of one {@link Schema} straight to Parquet's {@link RecordConsumer}: the source columns,
 * then the four default columns.
 *
 * <p>Type mapping: boolean, int32, int64, float, double as themselves; decimal(p,s) as DECIMAL on int32
 * (p ≤ 9), int64 (p ≤ 18) or a fixed-length byte array; an unconstrained decimal (precision 0) as
 * decimal(38, max(scale, 18)) — a value with more fractional digits or more than 38 digits fails the write
 * rather than being rounded; string and JSON as STRING; date as DATE; time as TIME(MICROS, local); every
 * timestamp as TIMESTAMP(MICROS, adjusted to UTC) (nanoseconds are truncated); binary as plain BINARY; a
 * column of type null as an all-null STRING. Source columns are always OPTIONAL (a source that declares a
 * column NOT NULL cannot make this writer fail later); {@code _olake_id}, {@code _olake_timestamp} and
 * {@code _op_type} are REQUIRED.
 */
final class RecordWriteSupport extends WriteSupport<Record> {
    static final int UNCONSTRAINED_PRECISION = 38;
    static final int UNCONSTRAINED_MIN_SCALE = 18;

    /** {@code _op_type} values, encoded once. */
    private static final Binary[] OP_CODES = Arrays.stream(OpType.values())
            .map(o -> Binary.fromConstantByteArray(o.code().getBytes(StandardCharsets.UTF_8)))
            .toArray(Binary[]::new);

    private final Schema schema;
    private final MessageType messageType;
    private final int[] precision;
    private final int[] scale;
    private RecordConsumer out;

    RecordWriteSupport(Schema schema) {
        this.schema = schema;
        this.precision = new int[schema.size()];
        this.scale = new int[schema.size()];
        List<Type> types = new ArrayList<>(schema.size() + 4);
        for (int i = 0; i < schema.size(); i++) {
            Field f = schema.field(i);
            if (f.type() == DataType.DECIMAL) {
                precision[i] = f.precision() == 0 ? UNCONSTRAINED_PRECISION : f.precision();
                scale[i] = f.precision() == 0 ? Math.max(f.scale(), UNCONSTRAINED_MIN_SCALE) : f.scale();
            }
            types.add(parquetType(f, precision[i], scale[i]));
        }
        types.add(Types.required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType())
                .named(DefaultColumns.OLAKE_ID));
        types.add(Types.required(PrimitiveTypeName.INT64).as(LogicalTypeAnnotation.timestampType(true, TimeUnit.MICROS))
                .named(DefaultColumns.OLAKE_TIMESTAMP));
        types.add(Types.required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType())
                .named(DefaultColumns.OP_TYPE));
        types.add(Types.optional(PrimitiveTypeName.INT64).as(LogicalTypeAnnotation.timestampType(true, TimeUnit.MICROS))
                .named(DefaultColumns.CDC_TIMESTAMP));
        this.messageType = new MessageType("record", types);
    }

    MessageType messageType() {
        return messageType;
    }

    Schema schema() {
        return schema;
    }

    static Type parquetType(Field f, int precision, int scale) {
        String n = f.name();
        return switch (f.type()) {
            case BOOLEAN -> Types.optional(PrimitiveTypeName.BOOLEAN).named(n);
            case INT32 -> Types.optional(PrimitiveTypeName.INT32).named(n);
            case INT64 -> Types.optional(PrimitiveTypeName.INT64).named(n);
            case FLOAT32 -> Types.optional(PrimitiveTypeName.FLOAT).named(n);
            case FLOAT64 -> Types.optional(PrimitiveTypeName.DOUBLE).named(n);
            case DECIMAL -> {
                LogicalTypeAnnotation d = LogicalTypeAnnotation.decimalType(scale, precision);
                if (precision <= 9) {
                    yield Types.optional(PrimitiveTypeName.INT32).as(d).named(n);
                }
                if (precision <= 18) {
                    yield Types.optional(PrimitiveTypeName.INT64).as(d).named(n);
                }
                yield Types.optional(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY).length(bytesFor(precision)).as(d).named(n);
            }
            case STRING, JSON_OBJECT, JSON_ARRAY, NULL ->
                    Types.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(n);
            case DATE -> Types.optional(PrimitiveTypeName.INT32).as(LogicalTypeAnnotation.dateType()).named(n);
            case TIME -> Types.optional(PrimitiveTypeName.INT64)
                    .as(LogicalTypeAnnotation.timeType(false, TimeUnit.MICROS)).named(n);
            case TIMESTAMP_MILLI, TIMESTAMP_MICRO, TIMESTAMP_NANO -> Types.optional(PrimitiveTypeName.INT64)
                    .as(LogicalTypeAnnotation.timestampType(true, TimeUnit.MICROS)).named(n);
            case BINARY -> Types.optional(PrimitiveTypeName.BINARY).named(n);
        };
    }

    /** The fewest bytes whose two's complement holds every unscaled value of {@code precision} digits. */
    static int bytesFor(int precision) {
        BigInteger max = BigInteger.TEN.pow(precision).subtract(BigInteger.ONE);
        return (max.bitLength() + 1 + 7) / 8;
    }

    @Override
    @SuppressWarnings("deprecation") // abstract in parquet-hadoop; the ParquetConfiguration overload is used
    public WriteContext init(org.apache.hadoop.conf.Configuration configuration) {
        return new WriteContext(messageType, Map.of());
    }

    @Override
    public WriteContext init(ParquetConfiguration configuration) {
        return new WriteContext(messageType, Map.of());
    }

    @Override
    public String getName() {
        return "tributary";
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
        this.out = recordConsumer;
    }

    @Override
    public void write(Record r) {
        out.startMessage();
        int n = schema.size();
        for (int i = 0; i < n; i++) {
            Object v = r.value(i);
            if (v == null) {
                continue;
            }
            Field f = schema.field(i);
            out.startField(f.name(), i);
            writeValue(f, i, v);
            out.endField(f.name(), i);
        }
        writeString(DefaultColumns.OLAKE_ID, n, r.olakeId());
        out.startField(DefaultColumns.OLAKE_TIMESTAMP, n + 1);
        out.addLong(micros(r.olakeTimestamp()));
        out.endField(DefaultColumns.OLAKE_TIMESTAMP, n + 1);
        out.startField(DefaultColumns.OP_TYPE, n + 2);
        out.addBinary(OP_CODES[r.op().ordinal()]);
        out.endField(DefaultColumns.OP_TYPE, n + 2);
        if (r.cdcTimestamp() != null) {
            out.startField(DefaultColumns.CDC_TIMESTAMP, n + 3);
            out.addLong(micros(r.cdcTimestamp()));
            out.endField(DefaultColumns.CDC_TIMESTAMP, n + 3);
        }
        out.endMessage();
    }

    private void writeString(String name, int index, String value) {
        out.startField(name, index);
        out.addBinary(Binary.fromString(value));
        out.endField(name, index);
    }

    private void writeValue(Field f, int i, Object v) {
        try {
            switch (f.type()) {
                case BOOLEAN -> out.addBoolean((Boolean) v);
                case INT32 -> out.addInteger(((Number) v).intValue());
                case INT64 -> out.addLong(((Number) v).longValue());
                case FLOAT32 -> out.addFloat(((Number) v).floatValue());
                case FLOAT64 -> out.addDouble(((Number) v).doubleValue());
                case DECIMAL -> writeDecimal(f, i, (BigDecimal) v);
                case STRING, JSON_OBJECT, JSON_ARRAY, NULL -> out.addBinary(Binary.fromString(v.toString()));
                case DATE -> out.addInteger(Math.toIntExact(((LocalDate) v).toEpochDay()));
                case TIME -> out.addLong(((LocalTime) v).toNanoOfDay() / 1000);
                case TIMESTAMP_MILLI, TIMESTAMP_MICRO, TIMESTAMP_NANO -> out.addLong(micros((Instant) v));
                case BINARY -> out.addBinary(Binary.fromConstantByteArray((byte[]) v));
                default -> throw new IllegalStateException("unhandled type " + f.type());
            }
        } catch (ClassCastException | ArithmeticException e) {
            throw new NonRetriableException("parquet writer: column " + f.name() + " of type " + f
                    + " cannot hold a value of " + v.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    private void writeDecimal(Field f, int i, BigDecimal d) {
        BigDecimal scaled;
        try {
            scaled = d.setScale(scale[i], RoundingMode.UNNECESSARY);
        } catch (ArithmeticException e) {
            throw new NonRetriableException("parquet writer: column " + f.name() + " holds decimal(" + precision[i]
                    + "," + scale[i] + ") but a value has more fractional digits (scale " + d.scale() + ")", e);
        }
        BigInteger unscaled = scaled.unscaledValue();
        if (scaled.precision() > precision[i]) {
            throw new NonRetriableException("parquet writer: column " + f.name() + " holds decimal(" + precision[i]
                    + "," + scale[i] + ") but a value has " + scaled.precision() + " digits");
        }
        if (precision[i] <= 9) {
            out.addInteger(unscaled.intValueExact());
        } else if (precision[i] <= 18) {
            out.addLong(unscaled.longValueExact());
        } else {
            int len = bytesFor(precision[i]);
            byte[] raw = unscaled.toByteArray();
            byte[] fixed = new byte[len];
            byte pad = (byte) (unscaled.signum() < 0 ? 0xFF : 0x00);
            int off = len - raw.length;
            for (int k = 0; k < off; k++) {
                fixed[k] = pad;
            }
            System.arraycopy(raw, 0, fixed, off, raw.length);
            out.addBinary(Binary.fromConstantByteArray(fixed));
        }
    }

    static long micros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
    }
}
