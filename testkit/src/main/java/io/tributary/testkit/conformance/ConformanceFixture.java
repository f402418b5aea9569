package io.tributary.testkit.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.core.DriverInterface;
import io.tributary.types.StreamId;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * What a driver's conformance test gives the kit: a database it can write to, and drivers configured against it.
 * Every table the kit creates has the same columns: {@code id} (integer primary key, or part of one),
 * {@code name} (text), {@code amount} (decimal with scale 2), {@code updated_at} (timestamp with time zone,
 * nullable). Document stores create the equivalent fields.
 */
public interface ConformanceFixture extends AutoCloseable {
    /** How a table is keyed. */
    enum Keys { PRIMARY_KEY, NONE }

    /** Whether the driver is configured for CDC. */
    enum Capture { NONE, CDC }

    /** A row of a kit table. */
    record Row(long id, String name, BigDecimal amount, Instant updatedAt) {
    }

    /** The stream's primary key column as discovery reports it ({@code id}; {@code _id} for document stores). */
    default String keyColumn() {
        return "id";
    }

    /** Creates (or re-creates, empty) a table and returns its stream ID. */
    StreamId createTable(String name, Keys keys);

    void insert(StreamId table, Row... rows);

    void update(StreamId table, Row row);

    void delete(StreamId table, long id);

    /** A fresh driver, configured and validated, against the fixture's database. */
    DriverInterface newDriver(Capture capture);

    /** A source config identical to the working one except for a wrong password, and that password. */
    JsonNode configWithWrongPassword(String password);

    @Override
    void close();
}
