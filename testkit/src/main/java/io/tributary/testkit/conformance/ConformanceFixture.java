package io.tributary.testkit.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.core.DriverInterface;
import io.tributary.types.StreamId;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

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

    /**
     * One value of the {@code TYPE_FIDELITY} matrix.
     *
     * @param literal how the fixture writes the value: a SQL literal or expression for relational fixtures
     *     ({@code '24:00:00'}, {@code x'AB000000'}, {@code NULL}); a relaxed Extended JSON value for MongoDB
     *     ({@code {"$numberDecimal": "1E-30"}})
     * @param expected the Java value the driver must produce for it, as {@link io.tributary.types.DataType}
     *     documents (a {@code String} for a type mapped to STRING, a {@code BigDecimal} with the source's scale, …);
     *     {@code null} for NULL
     * @param label a short name for messages ({@code "max"}, {@code "24:00:00"}, {@code "beyond BMP"})
     */
    record EdgeValue(String literal, Object expected, String label) {
    }

    /**
     * One column of the {@code TYPE_FIDELITY} matrix: its declaration in the source ({@code time(3)},
     * {@code tinyint unsigned}; for document stores a free description) and the type discovery must report.
     */
    record EdgeColumn(String name, String declaration, io.tributary.types.DataType expectedType,
            List<EdgeValue> values) {
    }

    /**
     * The edge-value matrix of {@code TYPE_FIDELITY}: one column per source type of the driver's README type table,
     * each with its minimum, maximum, zero, empty, NULL and special values. Empty: the behaviour is not declared.
     */
    default List<EdgeColumn> edgeColumns() {
        return List.of();
    }

    /**
     * Creates (or re-creates, empty) a table with a 64-bit integer primary key {@code id}, an integer column
     * {@code tag} and the given columns, and returns its stream ID.
     */
    default StreamId createEdgeTable(String name, List<EdgeColumn> columns) {
        throw new UnsupportedOperationException("this fixture declares no edge-value matrix");
    }

    /** Inserts one row: {@code id}, {@code tag} and the given columns set to literals; every other column NULL. */
    default void insertEdgeRow(StreamId table, long id, int tag, Map<String, String> literals) {
        throw new UnsupportedOperationException("this fixture declares no edge-value matrix");
    }

    /** Sets {@code tag} of row {@code id} (the row's other values stay as they are, and the update is logged). */
    default void updateEdgeTag(StreamId table, long id, int tag) {
        throw new UnsupportedOperationException("this fixture declares no edge-value matrix");
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
