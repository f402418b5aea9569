package io.tributary.types;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;

/** How a stream is synced; JSON names are OLake's. */
public enum SyncMode {
    /** Chunked backfill of the whole table at every sync; appends. */
    FULL_REFRESH("full_refresh"),
    /** Backfill bounded by the max cursor, then rows whose cursor is at or past the saved cursor; upserts. */
    INCREMENTAL("incremental"),
    /** Backfill, then change data capture from the database's log. */
    CDC("cdc"),
    /** Change data capture only, no backfill. */
    STRICT_CDC("strict_cdc");

    private final String jsonName;

    SyncMode(String jsonName) {
        this.jsonName = jsonName;
    }

    @JsonValue
    public String jsonName() {
        return jsonName;
    }

    @JsonCreator
    public static SyncMode fromJson(String name) {
        for (SyncMode m : values()) {
            if (m.jsonName.equals(name)) {
                return m;
            }
        }
        throw new ConfigException("unknown sync_mode '" + name + "'; expected one of "
                + Arrays.stream(values()).map(SyncMode::jsonName).toList());
    }

    public boolean isChangeStream() {
        return this == CDC || this == STRICT_CDC;
    }
}
