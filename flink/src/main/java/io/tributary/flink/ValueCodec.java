package io.tributary.flink;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.types.Json;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Exact binary form of the values drivers emit, tagged by Java type: every type the drivers produce has its own tag
 * (no text round trip, so NaN, -0.0, a 65-digit decimal and a date of year 9999 come back equal); any other
 * {@link Serializable} value falls back to Java serialization. Tags are part of the serialized form: append only.
 */
final class ValueCodec {
    private static final int NULL = 0;
    private static final int BOOLEAN = 1;
    private static final int INT = 2;
    private static final int LONG = 3;
    private static final int SHORT = 4;
    private static final int BYTE = 5;
    private static final int FLOAT = 6;
    private static final int DOUBLE = 7;
    private static final int STRING = 8;
    private static final int DECIMAL = 9;
    private static final int BIGINT = 10;
    private static final int BYTES = 11;
    private static final int INSTANT = 12;
    private static final int DATE = 13;
    private static final int TIME = 14;
    private static final int DATETIME = 15;
    private static final int OFFSET_DATETIME = 16;
    private static final int UUID_TAG = 17;
    private static final int LIST = 18;
    private static final int MAP = 19;
    private static final int JSON = 20;
    private static final int JAVA = 99;

    private ValueCodec() {
    }

    static void write(Object v, DataOutputView out) throws IOException {
        if (v == null) {
            out.writeByte(NULL);
        } else if (v instanceof String s) {
            out.writeByte(STRING);
            writeString(s, out);
        } else if (v instanceof Long l) {
            out.writeByte(LONG);
            out.writeLong(l);
        } else if (v instanceof Integer i) {
            out.writeByte(INT);
            out.writeInt(i);
        } else if (v instanceof Double d) {
            out.writeByte(DOUBLE);
            out.writeLong(Double.doubleToRawLongBits(d));
        } else if (v instanceof BigDecimal d) {
            out.writeByte(DECIMAL);
            out.writeInt(d.scale());
            writeBytes(d.unscaledValue().toByteArray(), out);
        } else if (v instanceof Instant t) {
            out.writeByte(INSTANT);
            out.writeLong(t.getEpochSecond());
            out.writeInt(t.getNano());
        } else if (v instanceof Boolean b) {
            out.writeByte(BOOLEAN);
            out.writeBoolean(b);
        } else if (v instanceof byte[] b) {
            out.writeByte(BYTES);
            writeBytes(b, out);
        } else if (v instanceof LocalDate d) {
            out.writeByte(DATE);
            out.writeLong(d.toEpochDay());
        } else if (v instanceof LocalTime t) {
            out.writeByte(TIME);
            out.writeLong(t.toNanoOfDay());
        } else if (v instanceof LocalDateTime t) {
            out.writeByte(DATETIME);
            out.writeLong(t.toLocalDate().toEpochDay());
            out.writeLong(t.toLocalTime().toNanoOfDay());
        } else if (v instanceof OffsetDateTime t) {
            out.writeByte(OFFSET_DATETIME);
            out.writeLong(t.toLocalDate().toEpochDay());
            out.writeLong(t.toLocalTime().toNanoOfDay());
            out.writeInt(t.getOffset().getTotalSeconds());
        } else if (v instanceof Float f) {
            out.writeByte(FLOAT);
            out.writeInt(Float.floatToRawIntBits(f));
        } else if (v instanceof Short s) {
            out.writeByte(SHORT);
            out.writeShort(s);
        } else if (v instanceof Byte b) {
            out.writeByte(BYTE);
            out.writeByte(b);
        } else if (v instanceof BigInteger b) {
            out.writeByte(BIGINT);
            writeBytes(b.toByteArray(), out);
        } else if (v instanceof UUID u) {
            out.writeByte(UUID_TAG);
            out.writeLong(u.getMostSignificantBits());
            out.writeLong(u.getLeastSignificantBits());
        } else if (v instanceof List<?> list) {
            out.writeByte(LIST);
            out.writeInt(list.size());
            for (Object o : list) {
                write(o, out);
            }
        } else if (v instanceof Map<?, ?> map) {
            out.writeByte(MAP);
            out.writeInt(map.size());
            for (Map.Entry<?, ?> e : map.entrySet()) {
                write(e.getKey(), out);
                write(e.getValue(), out);
            }
        } else if (v instanceof JsonNode j) {
            out.writeByte(JSON);
            writeString(Json.write(j), out);
        } else if (v instanceof Serializable s) {
            out.writeByte(JAVA);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream o = new ObjectOutputStream(bytes)) {
                o.writeObject(s);
            }
            writeBytes(bytes.toByteArray(), out);
        } else {
            throw new IOException("cannot serialize a value of type " + v.getClass().getName());
        }
    }

    static Object read(DataInputView in) throws IOException {
        int tag = in.readUnsignedByte();
        switch (tag) {
            case NULL:
                return null;
            case STRING:
                return readString(in);
            case LONG:
                return in.readLong();
            case INT:
                return in.readInt();
            case DOUBLE:
                return Double.longBitsToDouble(in.readLong());
            case DECIMAL: {
                int scale = in.readInt();
                return new BigDecimal(new BigInteger(readBytes(in)), scale);
            }
            case INSTANT:
                return Instant.ofEpochSecond(in.readLong(), in.readInt());
            case BOOLEAN:
                return in.readBoolean();
            case BYTES:
                return readBytes(in);
            case DATE:
                return LocalDate.ofEpochDay(in.readLong());
            case TIME:
                return LocalTime.ofNanoOfDay(in.readLong());
            case DATETIME:
                return LocalDateTime.of(LocalDate.ofEpochDay(in.readLong()), LocalTime.ofNanoOfDay(in.readLong()));
            case OFFSET_DATETIME:
                return OffsetDateTime.of(LocalDate.ofEpochDay(in.readLong()), LocalTime.ofNanoOfDay(in.readLong()),
                        ZoneOffset.ofTotalSeconds(in.readInt()));
            case FLOAT:
                return Float.intBitsToFloat(in.readInt());
            case SHORT:
                return in.readShort();
            case BYTE:
                return in.readByte();
            case BIGINT:
                return new BigInteger(readBytes(in));
            case UUID_TAG:
                return new UUID(in.readLong(), in.readLong());
            case LIST: {
                int n = in.readInt();
                List<Object> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    list.add(read(in));
                }
                return list;
            }
            case MAP: {
                int n = in.readInt();
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    map.put(read(in), read(in));
                }
                return map;
            }
            case JSON:
                return Json.parse(readString(in));
            case JAVA:
                try (ObjectInputStream o = new ObjectInputStream(new ByteArrayInputStream(readBytes(in)))) {
                    return o.readObject();
                } catch (ClassNotFoundException e) {
                    throw new IOException("cannot deserialize a value: " + e.getMessage(), e);
                }
            default:
                throw new IOException("unknown value tag " + tag + " (written by a newer Tributary?)");
        }
    }

    static void writeString(String s, DataOutputView out) throws IOException {
        writeBytes(s.getBytes(StandardCharsets.UTF_8), out);
    }

    static String readString(DataInputView in) throws IOException {
        return new String(readBytes(in), StandardCharsets.UTF_8);
    }

    static void writeBytes(byte[] b, DataOutputView out) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    static byte[] readBytes(DataInputView in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return b;
    }
}
