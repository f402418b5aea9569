package io.tributary.driver.mysql;

import com.github.shyiko.mysql.binlog.event.EventType;
import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.deserialization.DeleteRowsEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.UpdateRowsEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.WriteRowsEventDataDeserializer;
import com.github.shyiko.mysql.binlog.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;

/**
 * Row-event deserializers that decode the binlog's temporal, BIT and YEAR cells themselves, straight from the row
 * image into the values {@link MySqlTypes} hands on, instead of the binlog client's conversions (which go through
 * {@code java.util.Calendar}'s Julian calendar before 1582-10-15, drop the sign of a negative {@code TIME}, reverse
 * the bytes of a {@code BIT} and read {@code YEAR} 0 as 1900):
 *
 * <table>
 *   <caption>binlog cell → value</caption>
 *   <tr><td>DATE</td><td>{@link LocalDate} (proleptic Gregorian)</td></tr>
 *   <tr><td>DATETIME(fsp), TIMESTAMP(fsp)</td><td>{@link Instant} (a DATETIME read as UTC)</td></tr>
 *   <tr><td>TIME(fsp)</td><td>{@code String}: MySQL's rendering, {@code -838:59:59} … {@code 838:59:59} with
 *       the column's fractional digits</td></tr>
 *   <tr><td>BIT(n)</td><td>{@code byte[]} of (n + 7) / 8 bytes, most significant first (as SELECT returns it)</td></tr>
 *   <tr><td>YEAR</td><td>{@code Integer} (0 for the zero year {@code 0000})</td></tr>
 * </table>
 *
 * <p>A zero date or datetime ({@code 0000-00-00}, or a zero month or day, where {@code sql_mode} lets them in) and
 * the zero TIMESTAMP are {@code null}, as the backfill reads them ({@code zeroDateTimeBehavior=CONVERT_TO_NULL}).
 * A date that does not exist (e.g. {@code 2021-02-30} under {@code ALLOW_INVALID_DATES}) becomes an
 * {@link Undecodable}, which {@link MySqlTypes#fromBinlog} turns into a {@code ValueException} naming the column.
 * Every conversion is arithmetic on the cell's bytes: one result object per cell.
 */
final class BinlogRows {
    private BinlogRows() {
    }

    /** A cell that has no value of its column's type; its text is the source's rendering. */
    record Undecodable(String text, String reason) implements Serializable {
    }

    /** An event deserializer that reads row events with {@link BinlogRows}' decoders (and byte[] strings). */
    static EventDeserializer eventDeserializer() {
        Map<Long, TableMapEventData> tables = new java.util.LinkedHashMap<>(128, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, TableMapEventData> eldest) {
                return size() > 10_000; // table ids grow with DDL: keep the recent ones, as the client does
            }
        };
        EventDeserializer ed = new EventDeserializer() {
            @Override
            public com.github.shyiko.mysql.binlog.event.Event nextEvent(ByteArrayInputStream in) throws IOException {
                com.github.shyiko.mysql.binlog.event.Event e = super.nextEvent(in);
                if (e != null && e.getHeader().getEventType() == EventType.TABLE_MAP
                        && e.getData() instanceof TableMapEventData t) {
                    tables.put(t.getTableId(), t); // our row deserializers read the table maps from here
                }
                return e;
            }
        };
        // strings as bytes (the column's charset decodes them); our subclasses override the temporal decoders
        ed.setCompatibilityMode(EventDeserializer.CompatibilityMode.CHAR_AND_BINARY_AS_BYTE_ARRAY);
        ed.setEventDataDeserializer(EventType.WRITE_ROWS, new Write(tables));
        ed.setEventDataDeserializer(EventType.EXT_WRITE_ROWS, new Write(tables).setMayContainExtraInformation(true));
        ed.setEventDataDeserializer(EventType.UPDATE_ROWS, new Update(tables));
        ed.setEventDataDeserializer(EventType.EXT_UPDATE_ROWS,
                new Update(tables).setMayContainExtraInformation(true));
        ed.setEventDataDeserializer(EventType.DELETE_ROWS, new Delete(tables));
        ed.setEventDataDeserializer(EventType.EXT_DELETE_ROWS,
                new Delete(tables).setMayContainExtraInformation(true));
        return ed;
    }

    static final class Write extends WriteRowsEventDataDeserializer {
        Write(Map<Long, TableMapEventData> tables) {
            super(tables);
        }

        @Override
        protected Serializable deserializeBit(int meta, ByteArrayInputStream in) throws IOException {
            return bit(meta, in);
        }

        @Override
        protected Serializable deserializeDate(ByteArrayInputStream in) throws IOException {
            return date(in);
        }

        @Override
        protected Serializable deserializeTime(ByteArrayInputStream in) throws IOException {
            return time(in);
        }

        @Override
        protected Serializable deserializeTimeV2(int meta, ByteArrayInputStream in) throws IOException {
            return timeV2(meta, in);
        }

        @Override
        protected Serializable deserializeTimestamp(ByteArrayInputStream in) throws IOException {
            return timestamp(in);
        }

        @Override
        protected Serializable deserializeTimestampV2(int meta, ByteArrayInputStream in) throws IOException {
            return timestampV2(meta, in);
        }

        @Override
        protected Serializable deserializeDatetime(ByteArrayInputStream in) throws IOException {
            return datetime(in);
        }

        @Override
        protected Serializable deserializeDatetimeV2(int meta, ByteArrayInputStream in) throws IOException {
            return datetimeV2(meta, in);
        }

        @Override
        protected Serializable deserializeYear(ByteArrayInputStream in) throws IOException {
            return year(in);
        }
    }

    static final class Update extends UpdateRowsEventDataDeserializer {
        Update(Map<Long, TableMapEventData> tables) {
            super(tables);
        }

        @Override
        protected Serializable deserializeBit(int meta, ByteArrayInputStream in) throws IOException {
            return bit(meta, in);
        }

        @Override
        protected Serializable deserializeDate(ByteArrayInputStream in) throws IOException {
            return date(in);
        }

        @Override
        protected Serializable deserializeTime(ByteArrayInputStream in) throws IOException {
            return time(in);
        }

        @Override
        protected Serializable deserializeTimeV2(int meta, ByteArrayInputStream in) throws IOException {
            return timeV2(meta, in);
        }

        @Override
        protected Serializable deserializeTimestamp(ByteArrayInputStream in) throws IOException {
            return timestamp(in);
        }

        @Override
        protected Serializable deserializeTimestampV2(int meta, ByteArrayInputStream in) throws IOException {
            return timestampV2(meta, in);
        }

        @Override
        protected Serializable deserializeDatetime(ByteArrayInputStream in) throws IOException {
            return datetime(in);
        }

        @Override
        protected Serializable deserializeDatetimeV2(int meta, ByteArrayInputStream in) throws IOException {
            return datetimeV2(meta, in);
        }

        @Override
        protected Serializable deserializeYear(ByteArrayInputStream in) throws IOException {
            return year(in);
        }
    }

    static final class Delete extends DeleteRowsEventDataDeserializer {
        Delete(Map<Long, TableMapEventData> tables) {
            super(tables);
        }

        @Override
        protected Serializable deserializeBit(int meta, ByteArrayInputStream in) throws IOException {
            return bit(meta, in);
        }

        @Override
        protected Serializable deserializeDate(ByteArrayInputStream in) throws IOException {
            return date(in);
        }

        @Override
        protected Serializable deserializeTime(ByteArrayInputStream in) throws IOException {
            return time(in);
        }

        @Override
        protected Serializable deserializeTimeV2(int meta, ByteArrayInputStream in) throws IOException {
            return timeV2(meta, in);
        }

        @Override
        protected Serializable deserializeTimestamp(ByteArrayInputStream in) throws IOException {
            return timestamp(in);
        }

        @Override
        protected Serializable deserializeTimestampV2(int meta, ByteArrayInputStream in) throws IOException {
            return timestampV2(meta, in);
        }

        @Override
        protected Serializable deserializeDatetime(ByteArrayInputStream in) throws IOException {
            return datetime(in);
        }

        @Override
        protected Serializable deserializeDatetimeV2(int meta, ByteArrayInputStream in) throws IOException {
            return datetimeV2(meta, in);
        }

        @Override
        protected Serializable deserializeYear(ByteArrayInputStream in) throws IOException {
            return year(in);
        }
    }

    // ---------------------------------------------------------------- decoders (MySQL's my_time.cc formats)

    /** BIT(n): the metadata holds n / 8 (high byte) and n % 8 (low byte); the bytes are most significant first. */
    static byte[] bit(int meta, ByteArrayInputStream in) throws IOException {
        int bits = (meta >> 8) * 8 + (meta & 0xFF);
        return in.read((bits + 7) / 8);
    }

    static Serializable year(ByteArrayInputStream in) throws IOException {
        int y = in.read();
        return y == 0 ? 0 : 1900 + y;
    }

    /** DATE: 3 bytes little-endian, day (5 bits), month (4 bits), year (15 bits). */
    static Serializable date(ByteArrayInputStream in) throws IOException {
        int v = in.readInteger(3);
        int day = v & 31;
        int month = (v >>> 5) & 15;
        int year = v >>> 9;
        if (year == 0 || month == 0 || day == 0) {
            return null; // a zero date: NULL, as the backfill reads it (zeroDateTimeBehavior=CONVERT_TO_NULL)
        }
        if (day > monthLength(year, month)) {
            return new Undecodable(dateText(year, month, day), "is not a date (sql_mode ALLOW_INVALID_DATES)");
        }
        return LocalDate.of(year, month, day);
    }

    /** DATETIME2: 5 bytes big-endian (offset by 2^39) and the fractional seconds of the column's precision. */
    static Serializable datetimeV2(int fsp, ByteArrayInputStream in) throws IOException {
        long intpart = bigEndian(in, 5) - 0x8000000000L;
        int micros = fraction(fsp, in);
        long ymd = intpart >> 17;
        int hms = (int) (intpart & ((1 << 17) - 1));
        int ym = (int) (ymd >> 5);
        return datetime(ym / 13, ym % 13, (int) (ymd & 31), hms >> 12, (hms >> 6) & 63, hms & 63, micros, fsp);
    }

    /** DATETIME before MySQL 5.6.4: 8 bytes little-endian, the decimal number YYYYMMDDhhmmss. */
    static Serializable datetime(ByteArrayInputStream in) throws IOException {
        long v = in.readLong(8);
        int second = (int) (v % 100);
        int minute = (int) (v / 100 % 100);
        int hour = (int) (v / 10_000 % 100);
        long date = v / 1_000_000;
        return datetime((int) (date / 10_000), (int) (date / 100 % 100), (int) (date % 100), hour, minute, second, 0,
                0);
    }

    private static Serializable datetime(int year, int month, int day, int hour, int minute, int second, int micros,
            int fsp) {
        if (year == 0 || month == 0 || day == 0) {
            if (year == 0 && month == 0 && day == 0 && (hour | minute | second | micros) != 0) {
                return new Undecodable(dateText(0, 0, 0) + " " + clock(false, hour, minute, second, micros, fsp),
                        "is a zero date with a time of day");
            }
            return null; // a zero date: NULL, as the backfill reads it (zeroDateTimeBehavior=CONVERT_TO_NULL)
        }
        if (day > monthLength(year, month) || hour > 23 || minute > 59 || second > 59) {
            return new Undecodable(dateText(year, month, day) + " " + clock(false, hour, minute, second, micros, fsp),
                    "is not a date and time (sql_mode ALLOW_INVALID_DATES)");
        }
        long seconds = (daysFromCivil(year, month, day) * 24 + hour) * 3600L + minute * 60L + second;
        return Instant.ofEpochSecond(seconds, micros * 1_000L);
    }

    /** TIMESTAMP2: 4 bytes big-endian epoch seconds and the fractional seconds; 0 is the zero timestamp. */
    static Serializable timestampV2(int fsp, ByteArrayInputStream in) throws IOException {
        long seconds = bigEndian(in, 4);
        int micros = fraction(fsp, in);
        return seconds == 0 && micros == 0 ? null : Instant.ofEpochSecond(seconds, micros * 1_000L);
    }

    /** TIMESTAMP before MySQL 5.6.4: 4 bytes little-endian epoch seconds. */
    static Serializable timestamp(ByteArrayInputStream in) throws IOException {
        long seconds = in.readLong(4);
        return seconds == 0 ? null : Instant.ofEpochSecond(seconds);
    }

    /**
     * TIME2: 3 bytes big-endian (offset by 2^23: sign, 10 bits hour, 6 minute, 6 second) and the fractional seconds,
     * stored so that negative values sort (MySQL's {@code my_time_packed_from_binary}).
     */
    static Serializable timeV2(int fsp, ByteArrayInputStream in) throws IOException {
        long packed;
        switch (fsp) {
            case 0 -> packed = (bigEndian(in, 3) - 0x800000L) << 24;
            case 1, 2 -> {
                long intpart = bigEndian(in, 3) - 0x800000L;
                int frac = in.read();
                if (intpart < 0 && frac != 0) {
                    intpart++;
                    frac -= 0x100;
                }
                packed = (intpart << 24) + frac * 10_000L;
            }
            case 3, 4 -> {
                long intpart = bigEndian(in, 3) - 0x800000L;
                int frac = (int) bigEndian(in, 2);
                if (intpart < 0 && frac != 0) {
                    intpart++;
                    frac -= 0x10000;
                }
                packed = (intpart << 24) + frac * 100L;
            }
            default -> packed = bigEndian(in, 6) - 0x800000000000L;
        }
        boolean negative = packed < 0;
        if (negative) {
            packed = -packed;
        }
        long hms = packed >> 24;
        int micros = (int) (packed & 0xFFFFFF);
        return clock(negative, (int) ((hms >> 12) & 0x3FF), (int) ((hms >> 6) & 63), (int) (hms & 63), micros, fsp);
    }

    /** TIME before MySQL 5.6.4: 3 bytes little-endian, the signed decimal number hhmmss. */
    static Serializable time(ByteArrayInputStream in) throws IOException {
        int v = (in.readInteger(3) << 8) >> 8;
        boolean negative = v < 0;
        int a = Math.abs(v);
        return clock(negative, a / 10_000, a / 100 % 100, a % 100, 0, 0);
    }

    /** MySQL's rendering of a TIME: {@code [-]hh:mm:ss[.fraction]} with {@code fsp} fractional digits. */
    static String clock(boolean negative, int hour, int minute, int second, int micros, int fsp) {
        StringBuilder b = new StringBuilder(17);
        if (negative) {
            b.append('-');
        }
        if (hour < 10) {
            b.append('0');
        }
        b.append(hour).append(':');
        two(b, minute).append(':');
        two(b, second);
        if (fsp > 0) {
            b.append('.');
            int div = 100_000;
            for (int i = 0; i < fsp; i++) {
                b.append((char) ('0' + micros / div % 10));
                div /= 10;
            }
        }
        return b.toString();
    }

    private static StringBuilder two(StringBuilder b, int v) {
        return b.append((char) ('0' + v / 10)).append((char) ('0' + v % 10));
    }

    private static String dateText(int year, int month, int day) {
        StringBuilder b = new StringBuilder(10);
        String y = Integer.toString(year);
        b.append("0000", 0, Math.max(0, 4 - y.length())).append(y).append('-');
        two(b, month).append('-');
        return two(b, day).toString();
    }

    private static int fraction(int fsp, ByteArrayInputStream in) throws IOException {
        return switch (fsp) {
            case 0 -> 0;
            case 1, 2 -> in.read() * 10_000;
            case 3, 4 -> (int) bigEndian(in, 2) * 100;
            default -> (int) bigEndian(in, 3);
        };
    }

    private static long bigEndian(ByteArrayInputStream in, int n) throws IOException {
        long v = 0;
        for (int i = 0; i < n; i++) {
            v = (v << 8) | in.read();
        }
        return v;
    }

    private static int monthLength(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
    static long daysFromCivil(int year, int month, int day) {
        int y = month <= 2 ? year - 1 : year;
        int era = (y >= 0 ? y : y - 399) / 400;
        int yoe = y - era * 400;
        int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146_097L + doe - 719_468;
    }
}
