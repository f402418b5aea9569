package io.tributary.driver.mysql;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.core.PositionCodec;
import io.tributary.types.NonRetriableException;
import java.util.List;

/**
 * Where binlog CDC goes on: the server ID the reader registers with, and the binlog position after the last
 * transaction whose changes were all delivered. Saved as OLake's shape
 * {@code {"server_id": N, "state": {"position": {"name": "binlog.000003", "pos": 1234}}}} ({@link #CODEC},
 * version 1; version 0, written before positions carried a version, has the same form).
 *
 * @param serverId the replica server ID of the binlog reader
 * @param binlog the binlog file and offset
 */
record MySqlPosition(long serverId, MySqlCdc.Position binlog) {
    MySqlPosition {
        requireNonNull(binlog, "binlog is null");
    }

    @Override
    public String toString() {
        return binlog.name() + ":" + binlog.pos() + " (server_id " + serverId + ")";
    }

    static final PositionCodec<MySqlPosition> CODEC = new PositionCodec<>() {
        @Override
        public int version() {
            return 1;
        }

        @Override
        public List<String> fields() {
            return List.of("server_id", "state");
        }

        @Override
        public ObjectNode encode(MySqlPosition p) {
            return p.binlog().toJson(p.serverId());
        }

        @Override
        public MySqlPosition decode(JsonNode json, int version) {
            JsonNode p = json.path("state").path("position");
            if (!p.path("name").isTextual() || !p.path("pos").canConvertToLong()) {
                throw new NonRetriableException("state: the saved binlog position " + json + " is malformed "
                        + "(expected {\"server_id\": N, \"state\": {\"position\": {\"name\": ..., \"pos\": ...}}}); "
                        + "the state file is damaged or from another source: clear the state of the CDC streams to "
                        + "backfill them again");
            }
            return new MySqlPosition(json.path("server_id").asLong(), MySqlCdc.Position.fromJson(json));
        }
    };
}
