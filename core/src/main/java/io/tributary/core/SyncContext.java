package io.tributary.core;

import io.tributary.core.concurrent.Retry;
import io.tributary.core.state.State;
import io.tributary.types.CancelledException;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Schema;
import io.tributary.types.SyncMode;
import io.tributary.writer.WriteMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every runner of one {@link AbstractDriver} shares: the driver, the state, the options and the stop flag, and
 * the small rules they all apply (retry policy, write mode, cancellation check).
 */
final class SyncContext {
    private static final Logger LOG = LoggerFactory.getLogger(AbstractDriver.class);

    final DriverInterface driver;
    final State state;
    final AbstractDriver.Options options;
    private volatile boolean stopping;

    SyncContext(DriverInterface driver, State state, AbstractDriver.Options options) {
        this.driver = driver;
        this.state = state;
        this.options = options;
    }

    SyncListener listener() {
        return options.listener();
    }

    void stop() {
        stopping = true;
    }

    boolean stopping() {
        return stopping;
    }

    /** Whether change streams go on past the end of the log ({@link AbstractDriver.Options#withContinuousCdc}). */
    boolean continuous() {
        return !options.continuousCheckpoint().isZero() && !stopping;
    }

    Retry retry(String operation) {
        SyncListener l = options.listener();
        return new Retry(driver.maxRetries(), options.retryInitialBackoff(), options.retryMaxBackoff(),
                (what, attempt, attempts, cause, backoff) -> l.retrying(new RetryEvent(operation, what, attempt,
                        attempts, cause, backoff)));
    }

    /**
     * Ties the state to the driver's {@link DriverInterface#sourceIdentity() source identity}: a state written for
     * another source is a {@link io.tributary.types.ConfigException} (nothing read or written); a state without one
     * adopts it.
     */
    void bindSource() {
        Optional<String> identity = driver.sourceIdentity();
        if (identity.isPresent()) {
            state.bindSource(identity.get());
        } else {
            LOG.debug("driver {} gives no source identity: the state's source is not checked", driver.type());
        }
    }

    /** Runs an entry point, telling the listener of its failure before throwing it. */
    void observed(String operation, Runnable body) {
        try {
            body.run();
        } catch (RuntimeException | Error e) {
            try {
                options.listener().failed(operation, e);
            } catch (RuntimeException le) {
                e.addSuppressed(le);
            }
            throw e;
        }
    }

    /** The driver's incremental role; only called for incremental streams, which {@link #checkSyncModes} checked. */
    IncrementalSupport incremental() {
        return driver.incremental().orElseThrow(() -> new ConfigException("driver " + driver.type()
                + " has no incremental reads"));
    }

    /**
     * Validates each stream's configuration; CDC streams need a driver configured for CDC, incremental streams one
     * with an {@link DriverInterface#incremental()} role.
     */
    void checkSyncModes(List<ConfiguredStream> streams) {
        List<ConfiguredStream> cdcStreams = new ArrayList<>();
        for (ConfiguredStream s : streams) {
            s.validate();
            if (s.syncMode() == SyncMode.CDC || s.syncMode() == SyncMode.STRICT_CDC) {
                cdcStreams.add(s);
            }
            if (s.syncMode() == SyncMode.INCREMENTAL && driver.incremental().isEmpty()) {
                throw new ConfigException("stream " + s.id() + " is set to sync_mode incremental but driver "
                        + driver.type() + " has no incremental reads");
            }
        }
        if (!cdcStreams.isEmpty() && !driver.cdcSupported()) {
            throw new ConfigException("streams " + cdcStreams.stream().map(ConfiguredStream::id).toList()
                    + " are set to sync_mode cdc but the source config does not enable CDC (update_method)");
        }
    }

    /** See {@link ChangeMapper#writeMode}. */
    static WriteMode mode(ConfiguredStream s, boolean backfill) {
        return ChangeMapper.writeMode(s, backfill);
    }

    static RecordMaker maker(Map<Schema, RecordMaker> cache, ConfiguredStream s, Schema schema) {
        return cache.computeIfAbsent(schema, sc -> new RecordMaker(s, sc));
    }

    static void checkCancelled() {
        if (Thread.currentThread().isInterrupted()) {
            throw new CancelledException("sync was cancelled");
        }
    }

    static void shutdown(ExecutorService executor) {
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(60, TimeUnit.SECONDS)) {
                LOG.warn("orchestrator threads did not stop within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
