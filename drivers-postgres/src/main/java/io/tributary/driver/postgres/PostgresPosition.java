package io.tributary.driver.postgres;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.core.PositionCodec;
import io.tributary.types.Json;
import io.tributary.types.NonRetriableException;
import java.util.List;
import org.postgresql.replication.LogSequenceNumber;

/**
 * A position in the WAL of a logical replication slot: the end LSN of the last transaction (or watermark message)
 * whose changes were all delivered. Saved as {@code {"lsn": "X/Y"}} ({@link #CODEC}, version 1; version 0, written
 * before positions carried a version, has the same form).
 *
 * @param lsn the log sequence number
 */
record PostgresPosition(LogSequenceNumber lsn) {
    PostgresPosition {
        requireNonNull(lsn, "lsn is null");
    }

    @Override
    public String toString() {
        return "LSN " + lsn.asString();
    }

    static final PositionCodec<PostgresPosition> CODEC = new PositionCodec<>() {
        @Override
        public int version() {
            return 1;
        }

        @Override
        public List<String> fields() {
            return List.of("lsn");
        }

        @Override
        public ObjectNode encode(PostgresPosition p) {
            return Json.object().put("lsn", p.lsn().asString());
        }

        @Override
        public PostgresPosition decode(JsonNode json, int version) {
            JsonNode lsn = json.path("lsn");
            LogSequenceNumber parsed = lsn.isTextual() ? LogSequenceNumber.valueOf(lsn.asText())
                    : LogSequenceNumber.INVALID_LSN;
            if (parsed.equals(LogSequenceNumber.INVALID_LSN)) {
                throw new NonRetriableException("state: the saved WAL position " + json + " is malformed (expected "
                        + "{\"lsn\": \"X/Y\"}); the state file is damaged or from another source: clear the state of "
                        + "the CDC streams to backfill them again");
            }
            return new PostgresPosition(parsed);
        }
    };
}
