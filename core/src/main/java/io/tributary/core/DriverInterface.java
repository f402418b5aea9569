package io.tributary.core;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.core.state.State;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import java.util.List;
import java.util.Optional;

/**
 * The driver SPI: everything {@link AbstractDriver} needs from one database. Found by {@link java.util.ServiceLoader}
 * through {@code META-INF/services/io.tributary.core.DriverInterface} and selected by {@link #type()}
 * ({@link Drivers#find}). The names are OLake's {@code DriverInterface} in Java form.
 *
 * <h2>Lifecycle</h2>
 * The instance {@link java.util.ServiceLoader} creates (public no-argument constructor) is unconfigured: it answers
 * {@link #type()}, {@link #configType()}, {@link #spec()} and {@link #configure}, which returns a new, configured
 * instance ({@link Drivers#configured}). A configured instance serves one sync: {@link #setup}, then the
 * orchestrator's calls, then {@link #close()}. Methods marked "thread-safe" are called from several orchestrator
 * threads at once (up to {@link #maxConnections()}).
 *
 * <h2>Roles</h2>
 * What every driver does (discovery, chunked backfill) is a method here; what only some do is an optional role:
 * {@link #incremental()}, {@link #cdcSource()}, {@link #watermarks()}. An empty role means "not supported with this
 * configuration", and the engine rejects the streams that need it with a {@link io.tributary.types.ConfigException}.
 *
 * <h2>Stability</h2>
 * Since 0.2 the SPI evolves through default methods; what is marked {@link Experimental} may still change before 1.0.
 *
 * <h2>Errors</h2>
 * Throw {@link io.tributary.types.ConfigException} for what the user must fix,
 * {@link io.tributary.types.RetriableException} for transient failures (the orchestrator retries the task with
 * backoff up to {@link #maxRetries()} times), {@link io.tributary.types.NonRetriableException} to stop the run.
 * An I/O failure ({@link java.io.UncheckedIOException}, or an {@link java.io.IOException} as a cause) is retried
 * too. Any other {@link RuntimeException} is a programming error: it is not retried and stops the run as a
 * {@link io.tributary.types.NonRetriableException} ({@link io.tributary.core.concurrent.Retry}). A refused
 * connection, a timeout or a server starting up is a {@code RetriableException} (a restart or failover looks like
 * that); an unknown host or rejected credentials a {@code ConfigException}. Messages name the stream, chunk, column
 * and value and never contain secrets.
 *
 * <h2>Cancellation</h2>
 * When a sibling task fails or the embedder cancels, reading threads are interrupted and callbacks throw
 * {@link io.tributary.types.CancelledException}; every loop that reads from the database must check
 * {@link Thread#isInterrupted()} or let that exception propagate.
 */
public interface DriverInterface extends AutoCloseable {
    /** The driver's type name ({@code postgres}, {@code mysql}, {@code mongodb}): lower case, stable. */
    String type();

    /** The record class {@code source.json} binds to (OLake's {@code GetConfigRef}). */
    Class<? extends DriverConfig> configType();

    /**
     * A new driver configured with {@code config}, an instance of {@link #configType()} that was bound and validated
     * ({@link Drivers#configured}); this instance is left as it was. May be called on an unconfigured instance and
     * must not connect.
     *
     * @since 0.2 (replaces {@code void configure(DriverConfig)})
     */
    DriverInterface configure(DriverConfig config);

    /** The config this driver was configured with ({@link #configure}); called only on a configured driver. */
    DriverConfig config();

    /**
     * JSON Schema (2020-12) of the config, for the {@code spec} command. Never null. The default generates it from
     * {@link #configType()} with {@link io.tributary.types.ConfigSchema}.
     */
    default JsonNode spec() {
        return io.tributary.types.ConfigSchema.of(configType());
    }

    /**
     * Checks connectivity, permissions and server settings (for CDC: log settings, slot/publication), creating
     * what the config asks to be created. Throws {@link io.tributary.types.ConfigException} telling the user what
     * to change or run.
     */
    void setup();

    /**
     * Identifies the source the sync's positions belong to, so that a state file written against one server is
     * never resumed against another ({@link State#bindSource}): chunks, cursors and log positions of a foreign
     * source would silently skip or repeat data. {@link AbstractDriver#read} calls it before it reads or writes
     * anything, once per run; the first run saves the value in {@code state.json} (key {@code source_identity}),
     * every later run compares it, and a different value is a {@link io.tributary.types.ConfigException}.
     *
     * <p>Build it from facts of the server that survive restarts, upgrades and a change of host name or address,
     * and that a copy of another server does not share (PostgreSQL: {@code pg_control_system().system_identifier}
     * plus the database name), prefixed by {@link #type()}; e.g. {@code "postgres:7312345678901234567/shop"}. Two
     * sources whose positions are interchangeable (a physical replica and its primary) may share one. Never
     * include credentials or connection options: the value is written to the state file and shown in errors.
     * The value is compared as an exact string, so a driver must not change how it builds it between versions
     * (prefix a new scheme with a version instead and accept the old one).
     *
     * <p>Return empty when the source gives nothing stable or the configured user may not read it (log why once):
     * the state is then not checked. The default returns empty. Called on a configured driver; may connect. Throws like {@link #setup()} when the source cannot be reached.
     */
    default Optional<String> sourceIdentity() {
        return Optional.empty();
    }

    /** The most database connections the orchestrator may use at once (chunk readers, incremental passes, CDC). */
    int maxConnections();

    /** How many times a failed task is retried (0 = never). */
    int maxRetries();

    /** Every stream the source has (tables, collections), for discovery. Empty when there is none. Thread-safe. */
    List<StreamId> getStreamNames();

    /**
     * Describes one stream: columns and types, primary key, cursor-capable columns, supported sync modes.
     * Called concurrently for different streams by discovery, and by {@link Preflight} for the selected streams
     * before a sync. Throws {@link io.tributary.types.ConfigException} naming the stream when it does not exist
     * or the configured user may not read it. Thread-safe.
     */
    Stream produceSchema(StreamId stream);

    /**
     * Checks, before the sync changes any state or destination data, that the stream can be read as configured: it
     * exists, the user may read it, and (for CDC) its changes can be captured. Throws
     * {@link io.tributary.types.ConfigException} naming the stream and what to run. The default checks nothing.
     */
    default void checkStream(ConfiguredStream stream) {
    }

    /**
     * Splits a stream into chunks that together cover every row exactly once (no gap, no overlap). Called once per
     * backfill; the chunks are saved in state so that a resumed run reads only those left. An empty stream may
     * return one chunk or none.
     *
     * @since 0.2 (without the unused {@code WriterPool} parameter)
     */
    List<Chunk> getOrSplitChunks(ConfiguredStream stream);

    /**
     * Like {@link #getOrSplitChunks(ConfiguredStream)}, with chunks of at most about {@code maxChunkRows} rows where
     * the driver can size them. The watermark backfill ({@link CdcBackfill#WATERMARK}) holds a chunk in memory until
     * the change stream reaches its high watermark, so it asks for small chunks. The default ignores the hint.
     *
     * @since 0.2
     */
    default List<Chunk> getOrSplitChunks(ConfiguredStream stream, long maxChunkRows) {
        return getOrSplitChunks(stream);
    }

    /**
     * Reads every row of one chunk and hands each to {@code processFn}, positionally against the stream schema.
     * When {@code upperBound} is not empty (an incremental stream's backfill), rows whose primary cursor is
     * greater than {@code upperBound.primary()} (or, where the primary is NULL, whose secondary cursor is greater
     * than {@code upperBound.secondary()}) may be skipped: the next incremental pass reads them. Applies the
     * stream's filter. Thread-safe: chunks of a stream are read in parallel.
     */
    void chunkIterator(ConfiguredStream stream, Chunk chunk, CursorValues upperBound, BackfillMsgFn processFn);

    /**
     * Cursor-based reads for {@link io.tributary.types.SyncMode#INCREMENTAL} streams, or empty when the driver has
     * none (then {@link #produceSchema} must not offer that mode). The default is empty.
     *
     * @since 0.2 (replaces {@code fetchMaxCursorValues} and {@code streamIncrementalChanges} on this interface)
     */
    default Optional<IncrementalSupport> incremental() {
        return Optional.empty();
    }

    /**
     * Whether the configuration enables CDC (a slot, a binlog, change streams): whether there is a
     * {@link #cdcSource()}. A driver need not override it.
     */
    default boolean cdcSupported() {
        return cdcSource().isPresent();
    }

    /** How CDC runs for this driver (OLake's {@code ChangeStreamConfig}). */
    default ChangeStreamMode changeStreamMode() {
        return ChangeStreamMode.SEQUENTIAL;
    }

    /**
     * Prepares CDC before any backfill of {@code streams}. With a {@link #cdcSource()}: creates what CDC needs on the
     * server (a publication, a slot) and the driver's CDC reader; the engine then records the start positions
     * ({@link CdcSource#startPosition}). Called only when {@link #cdcSupported()}; the
     * default does nothing.
     *
     * @since 0.2 (without the unused {@code WriterPool} parameter)
     */
    default void preCDC(List<ConfiguredStream> streams) {
    }

    /**
     * CDC with typed positions that the engine saves and restores ({@link CdcSource}): when present, the engine calls
     * {@link #preCDC}, then asks the source for its start position where the state has none, streams through
     * {@link CdcSource#streamChanges} and acknowledges through {@link CdcSource#acknowledge} (the seed's
     * {@code streamChanges} and {@code postCDC}). Empty (the default): the driver has no CDC. Present exactly when the
     * configuration enables CDC.
     *
     * @since 0.2 (replaces {@code setupState}, the untyped {@code streamChanges(int, CdcMsgFn)} and {@code postCDC}:
     *     no driver reads or writes the state)
     */
    @Experimental
    default Optional<CdcSource<?>> cdcSource() {
        return Optional.empty();
    }

    /**
     * Watermarks in the change log, so that {@link CdcBackfill#WATERMARK} can backfill while the change streams run;
     * empty (the default) when the driver or the server cannot write them. Present only with a {@link #cdcSource()}.
     * May connect once to ask the server's version.
     *
     * @since 0.2 (replaces {@code watermarksSupported()} and the throwing {@code writeWatermark})
     */
    @Experimental
    default Optional<WatermarkSupport> watermarks() {
        return Optional.empty();
    }

    /** Releases connections and server-side resources; idempotent. */
    @Override
    void close();
}
