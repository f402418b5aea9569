package io.tributary.core;

import static java.util.Objects.requireNonNull;

import io.tributary.core.filter.Filter;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Field;
import io.tributary.types.Schema;
import io.tributary.types.Stream;
import io.tributary.types.SyncMode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    private static final Logger LOG = LoggerFactory.getLogger(Preflight.class);

    private Preflight() {
    }

    /**
     * Throws {@link ConfigException} naming the stream (and column) of the first selection the source cannot serve.
     * Returns the streams as they are to be read: a stream with {@code sync_new_columns} gets the columns added in the
     * source since {@code discover} (so a backfill reads them instead of dropping them), the others as given.
     */
    public static List<ConfiguredStream> check(DriverInterface driver, List<ConfiguredStream> streams) {
        requireNonNull(driver, "driver is null");
        List<ConfiguredStream> out = new ArrayList<>(streams.size());
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
            s.filter().ifPresent(text -> {
                Filter f;
                try {
                    f = Filter.parse(text);
                } catch (ConfigException e) {
                    throw new ConfigException("stream " + s.id() + ": " + e.getMessage(), e);
                }
                List<String> unknown = f.columns().stream().filter(c -> now.schema().indexOf(c) < 0).toList();
                if (!unknown.isEmpty()) {
                    throw new ConfigException("stream " + s.id() + ": filter '" + text + "' names column "
                            + String.join(", ", unknown) + ", which the source does not have; columns: "
                            + now.schema().names());
                }
            });
            driver.checkStream(s);
            if ((s.syncMode() == SyncMode.CDC || s.syncMode() == SyncMode.STRICT_CDC)
                    && !now.supportedSyncModes().contains(s.syncMode())) {
                throw new ConfigException("stream " + s.id() + ": sync_mode " + s.syncMode().jsonName()
                        + " is not possible for this stream in the source now; supported: "
                        + now.supportedSyncModes().stream().map(SyncMode::jsonName).sorted().toList()
                        + " (a table needs a primary key, or the driver's replica identity setting, for CDC)");
            }
            out.add(withNewColumns(s, now));
        }
        return out;
    }

    private static ConfiguredStream withNewColumns(ConfiguredStream s, Stream now) {
        if (!s.syncNewColumns()) {
            return s;
        }
        List<Field> added = now.schema().fields().stream().filter(f -> s.schema().indexOf(f.name()) < 0).toList();
        if (added.isEmpty()) {
            return s;
        }
        List<Field> fields = new ArrayList<>(s.schema().fields());
        fields.addAll(added);
        LOG.info("stream {}: columns {} were added in the source since discover; syncing them (sync_new_columns)",
                s.id(), added.stream().map(Field::name).toList());
        return s.withStream(s.stream().withSchema(new Schema(fields)));
    }
}
