package io.tributary.writer.parquet;

import io.tributary.types.DataType;
import io.tributary.types.DefaultColumns;
import io.tributary.types.Field;
import io.tributary.types.NonRetriableException;
import io.tributary.types.OpType;
import io.tributary.types.Schema;
import io.tributary.writer.Record;
import io.tributary.writer.ValueGuard;
import java.io.Closeable;
import java.io.IOException;
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
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.ColumnWriter;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * One Parquet file of {@link Record}s of one {@link Schema}: the source columns, then the four default columns.
 * Values go straight to parquet-mr's column writers (as Iceberg's value writers do), not through the
 * {@code WriteSupport}/{@code RecordConsumer} layer (its per-field bookkeeping made a writer-only run ~20 % slower);
 * a row group is flushed when its buffered size reaches the row-group size.
 *
 * <p>Type mapping: boolean, int32, int64, float, double as themselves (NaN and ±Infinity included); decimal(p,s)
 * with 1 ≤ p ≤ 38 as DECIMAL on int32 (p ≤ 9), int64 (p ≤ 18) or a fixed-length byte array; an unconstrained
 * decimal (precision 0) or p &gt; 38 as STRING holding {@link BigDecimal#toPlainString()} (exact, scale kept) and
 * the special values as their text ({@code NaN}, {@code Infinity}, {@code -Infinity}); string and JSON as STRING;
 * date as DATE (int32 days); time as TIME(MICROS, local); every timestamp as TIMESTAMP(MICROS, adjusted to UTC)
 * (nanoseconds are truncated); binary as plain BINARY; a column of type null as an all-null STRING. Source columns
 * are always OPTIONAL (a source that declares a column NOT NULL cannot make this writer fail later);
 * {@code _olake_id}, {@code _olake_timestamp} and {@code _op_type} are REQUIRED.
 *
 * <p>Values a column cannot hold (a timestamp outside signed 64-bit microseconds, a date outside int32 days, a
 * decimal with more digits or scale than its column or a special value in a decimal column) are caught before the
 * row is written, by the {@link ValueGuard} {@link #checks checks} the caller runs. A value of the wrong Java type
 * (a driver bug) fails with {@link NonRetriableException} naming the column; the row may then be half written, so
 * the caller must discard the file ({@link #abort}).
 */
final class RecordFileWriter implements Closeable {
    /** The widest decimal Parquet's DECIMAL on a 16-byte fixed array holds; wider ones are written as text. */
    static final int MAX_DECIMAL_PRECISION = 38;
    /** Buffered size is summed over every column: look at it once per this many records. */
    private static final int SIZE_CHECK_EVERY = 1024;
    private static final int MAX_PADDING_BYTES = 8 * 1024 * 1024;

    /** {@code _op_type} values, encoded once. */
    private static final Binary[] OP_CODES = Arrays.stream(OpType.values())
            .map(o -> Binary.fromConstantByteArray(o.code().getBytes(StandardCharsets.UTF_8)))
            .toArray(Binary[]::new);

    private final Schema schema;
    private final MessageType messageType;
    private final int[] precision;
    private final int[] scale;
    private final ParquetProperties props;
    private final BytesInputCompressor compressor;
    private final long rowGroupBytes;
    private final ParquetFileWriter file;
    private ColumnChunkPageWriteStore pages;
    private ColumnWriteStore store;
    private ColumnWriter[] columns;
    private long rowsInGroup;
    private int sinceSizeCheck;

    /**
     * Starts a file (overwriting {@code out}).
     *
     * @param plainColumns columns written without a dictionary (unique values: a dictionary never pays off)
     */
    RecordFileWriter(Schema schema, OutputFile out, BytesInputCompressor compressor, long rowGroupBytes,
            List<String> plainColumns) throws IOException {
        this.schema = schema;
        this.precision = new int[schema.size()];
        this.scale = new int[schema.size()];
        List<Type> types = new ArrayList<>(schema.size() + 4);
        for (int i = 0; i < schema.size(); i++) {
            Field f = schema.field(i);
            if (isDecimalColumn(f)) {
                precision[i] = f.precision();
                scale[i] = f.scale();
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
        this.compressor = compressor;
        this.rowGroupBytes = rowGroupBytes;
        ParquetProperties.Builder p = ParquetProperties.builder();
        for (String c : plainColumns) {
            p.withDictionaryEncoding(c, false);
        }
        this.props = p.build();
        this.file = new ParquetFileWriter(out, messageType, ParquetFileWriter.Mode.OVERWRITE, rowGroupBytes,
                MAX_PADDING_BYTES, null, props);
        try {
            file.start();
            startRowGroup();
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** Whether a field is a Parquet DECIMAL column (otherwise a decimal field is a STRING column). */
    static boolean isDecimalColumn(Field f) {
        return f.type() == DataType.DECIMAL && f.precision() > 0 && f.precision() <= MAX_DECIMAL_PRECISION;
    }

    /** Per record position of {@code schema}: what its column cannot hold, or null when it holds every value. */
    static ValueGuard.Check[] checks(Schema schema) {
        ValueGuard.Check[] checks = new ValueGuard.Check[schema.size()];
        for (int i = 0; i < checks.length; i++) {
            Field f = schema.field(i);
            checks[i] = switch (f.type()) {
                case DECIMAL -> isDecimalColumn(f) ? ValueGuard.decimal(f.precision(), f.scale()) : null;
                case DATE -> ValueGuard.epochDays();
                case TIMESTAMP_MILLI, TIMESTAMP_MICRO, TIMESTAMP_NANO -> ValueGuard.timestampMicros();
                default -> null;
            };
        }
        return checks;
    }

    static Type parquetType(Field f, int precision, int scale) {
        String n = f.name();
        if (f.type() == DataType.DECIMAL && !isDecimalColumn(f)) {
            return Types.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(n);
        }
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

    private void startRowGroup() {
        pages = new ColumnChunkPageWriteStore(compressor, messageType, props.getAllocator(),
                props.getColumnIndexTruncateLength(), props.getPageWriteChecksumEnabled());
        store = props.newColumnWriteStore(messageType, pages, pages);
        List<ColumnDescriptor> descriptors = messageType.getColumns();
        columns = new ColumnWriter[descriptors.size()];
        for (int i = 0; i < columns.length; i++) {
            columns[i] = store.getColumnWriter(descriptors.get(i));
        }
        rowsInGroup = 0;
    }

    private void flushRowGroup() throws IOException {
        try {
            file.startBlock(rowsInGroup);
            store.flush();
            pages.flushToFileWriter(file);
            file.endBlock();
        } finally {
            store.close();
            pages.close();
        }
    }

    void write(Record r) throws IOException {
        int n = schema.size();
        for (int i = 0; i < n; i++) {
            Object v = r.value(i);
            if (v == null) {
                columns[i].writeNull(0, 0);
            } else {
                writeValue(i, v);
            }
        }
        columns[n].write(utf8(r.olakeId()), 0, 0);
        columns[n + 1].write(micros(r.olakeTimestamp()), 0, 0);
        columns[n + 2].write(OP_CODES[r.op().ordinal()], 0, 0);
        if (r.cdcTimestamp() == null) {
            columns[n + 3].writeNull(0, 0);
        } else {
            columns[n + 3].write(micros(r.cdcTimestamp()), 0, 1);
        }
        store.endRecord();
        rowsInGroup++;
        if (++sinceSizeCheck >= SIZE_CHECK_EVERY) {
            sinceSizeCheck = 0;
            if (store.getBufferedSize() >= rowGroupBytes) {
                flushRowGroup();
                startRowGroup();
            }
        }
    }

    /** Bytes written so far plus bytes buffered for the current row group: about the finished file's size. */
    long dataSize() throws IOException {
        return file.getPos() + store.getBufferedSize();
    }

    /** Writes the last row group and the footer. */
    @Override
    public void close() throws IOException {
        if (rowsInGroup > 0) {
            flushRowGroup();
        } else {
            store.close();
            pages.close();
        }
        file.end(Map.of("writer.model.name", "tributary"));
    }

    /** Closes the file without a footer; the caller deletes it. Never throws. */
    void abort() {
        try {
            store.close();
            pages.close();
        } catch (RuntimeException ignored) {
            // discarding
        }
        try {
            file.close();
        } catch (IOException | RuntimeException ignored) {
            // discarding
        }
    }

    private void writeValue(int i, Object v) {
        Field f = schema.field(i);
        ColumnWriter c = columns[i];
        try {
            switch (f.type()) {
                case BOOLEAN -> c.write((Boolean) v, 0, 1);
                case INT32 -> c.write(((Number) v).intValue(), 0, 1);
                case INT64 -> c.write(((Number) v).longValue(), 0, 1);
                case FLOAT32 -> c.write(((Number) v).floatValue(), 0, 1);
                case FLOAT64 -> c.write(((Number) v).doubleValue(), 0, 1);
                case DECIMAL -> {
                    if (precision[i] == 0) { // a STRING column: exact text, specials as their text
                        c.write(utf8(v instanceof BigDecimal d ? d.toPlainString() : v.toString()), 0, 1);
                    } else {
                        writeDecimal(f, i, (BigDecimal) v);
                    }
                }
                case STRING, JSON_OBJECT, JSON_ARRAY, NULL -> c.write(utf8(v instanceof String t ? t
                        : v instanceof BigDecimal d ? d.toPlainString() : v.toString()), 0, 1);
                case DATE -> c.write(Math.toIntExact(((LocalDate) v).toEpochDay()), 0, 1);
                case TIME -> c.write(((LocalTime) v).toNanoOfDay() / 1000, 0, 1);
                case TIMESTAMP_MILLI, TIMESTAMP_MICRO, TIMESTAMP_NANO -> c.write(micros((Instant) v), 0, 1);
                case BINARY -> c.write(Binary.fromConstantByteArray((byte[]) v), 0, 1);
                default -> throw new IllegalStateException("unhandled type " + f.type());
            }
        } catch (ClassCastException | ArithmeticException e) {
            throw new NonRetriableException("parquet writer: column " + f + " cannot hold a value of "
                    + v.getClass().getSimpleName() + ": " + e.getMessage(), e);
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
            columns[i].write(unscaled.intValueExact(), 0, 1);
        } else if (precision[i] <= 18) {
            columns[i].write(unscaled.longValueExact(), 0, 1);
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
            columns[i].write(Binary.fromConstantByteArray(fixed), 0, 1);
        }
    }

    /**
     * A string's UTF-8 bytes as an array-backed Binary: {@code Binary.fromString} gives a ByteBuffer-backed one, whose
     * byte-at-a-time hashing (dictionary) and comparing (min/max statistics) cost more than the encoding itself.
     */
    private static Binary utf8(String s) {
        return Binary.fromConstantByteArray(s.getBytes(StandardCharsets.UTF_8));
    }

    static long micros(Instant t) {
        return ValueGuard.epochMicros(t);
    }
}
