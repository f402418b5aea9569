package io.tributary.core;

import static java.util.Objects.requireNonNull;

import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Stream;
import io.tributary.types.SyncMode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks the selected streams against the source before a sync touches state or the destination, so that a
 * catalog that no longer matches the source fails with a {@link ConfigException} and leaves both as they were:
 * every stream exists and can be described ({@link DriverInterface#produceSchema} throws
 * {@link ConfigException} for a missing or unreadable table), the cursor and chunk columns the catalog names still
 * exist, and a {@code cdc}/{@code strict_cdc} stream is one the source can capture now.
 *
 * <p>{@link AbstractDriver#read} runs it before anything else (right after checking that the state belongs to the
 * source, {@link DriverInterface#sourceIdentity()}); it also calls the driver's own
 * {@link DriverInterface#checkStream} (grants, replica identity).
 */
public final class Preflight {
    private Preflight() {
    }

    /** Throws {@link ConfigException} naming the stream (and column) of the first selection the source cannot serve. */
    public static void check(DriverInterface driver, List<ConfiguredStream> streams) {
        requireNonNull(driver, "driver is null");
        for (ConfiguredStream s : streams) {
            s.validate();
            Stream now = driver.produceSchema(s.id());
            Set<String> columns = new LinkedHashSet<>();
            s.primaryCursor().ifPresent(columns::add);
            s.secondaryCursor().ifPresent(columns::add);
            s.chunkColumn().ifPresent(columns::add);
            List<String> missing = new ArrayList<>();
            for (String c : columns) {
                if (now.schema().indexOf(c) < 0) {
                    missing.add(c);
                }
            }
            if (!missing.isEmpty()) {
                throw new ConfigException("stream " + s.id() + ": column " + String.join(", ", missing)
                        + " named in the catalog does not exist in the source; columns: " + now.schema().names()
                        + " (run discover again)");
            }
            driver.checkStream(s);
            if ((s.syncMode() == SyncMode.CDC || s.syncMode() == SyncMode.STRICT_CDC)
                    && !now.supportedSyncModes().contains(s.syncMode())) {
                throw new ConfigException("stream " + s.id() + ": sync_mode " + s.syncMode().jsonName()
                        + " is not possible for this stream in the source now; supported: "
                        + now.supportedSyncModes().stream().map(SyncMode::jsonName).sorted().toList()
                        + " (a table needs a primary key, or the driver's replica identity setting, for CDC)");
            }
        }
    }
}
