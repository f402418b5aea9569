package io.tributary.driver.mongodb;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.core.PositionCodec;
import io.tributary.types.Json;
import io.tributary.types.NonRetriableException;
import java.util.List;

/**
 * Where a collection's change stream goes on, saved in the collection's state ({@link #CODEC}, version 1; version 0,
 * written before positions carried a version, has the same form): {@code _data} (a resume token), or, before the
 * first change was seen on a server that returns no post-batch token, {@code cdc_start_after} (an oplog timestamp
 * {@code t << 32 | i}: the stream starts right after it), or {@code cdc_start} (a cluster time in seconds, where
 * {@code local.oplog.rs} is not readable).
 */
sealed interface MongoPosition {
    /** A resume token ({@code _data}: a hex KeyString, checked when the stream opens). */
    record ResumeToken(String data) implements MongoPosition {
        public ResumeToken {
            requireNonNull(data, "data is null");
        }
    }

    /** Right after the oplog entry with this timestamp ({@code t << 32 | i}). */
    record StartAfter(long oplogTimestamp) implements MongoPosition {
    }

    /** At this cluster time in seconds (the changes of that second may be replayed, and are upserted again). */
    record StartAt(long clusterSeconds) implements MongoPosition {
    }

    PositionCodec<MongoPosition> CODEC = new PositionCodec<>() {
        @Override
        public int version() {
            return 1;
        }

        @Override
        public List<String> fields() {
            return List.of(MongoCdc.TOKEN, MongoCdc.START_AFTER, MongoCdc.START);
        }

        @Override
        public ObjectNode encode(MongoPosition p) {
            ObjectNode n = Json.object();
            if (p instanceof ResumeToken t) {
                n.put(MongoCdc.TOKEN, t.data());
            } else if (p instanceof StartAfter a) {
                n.put(MongoCdc.START_AFTER, a.oplogTimestamp());
            } else {
                n.put(MongoCdc.START, ((StartAt) p).clusterSeconds());
            }
            return n;
        }

        @Override
        public MongoPosition decode(JsonNode json, int version) {
            if (json.has(MongoCdc.TOKEN)) {
                return new ResumeToken(json.get(MongoCdc.TOKEN).asText());
            }
            if (json.path(MongoCdc.START_AFTER).canConvertToLong()) {
                return new StartAfter(json.get(MongoCdc.START_AFTER).asLong());
            }
            if (json.path(MongoCdc.START).canConvertToLong()) {
                return new StartAt(json.get(MongoCdc.START).asLong());
            }
            throw new NonRetriableException("state: the saved change-stream position " + json + " is malformed; the "
                    + "state file is damaged or from another source: clear this stream's state to backfill it again");
        }
    };
}
