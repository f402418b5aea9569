package io.tributary.testkit;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A write load on a source while a sync runs: random single-row changes, each its own transaction, on a thread of
 * its own until {@link #close()}: half updates of a random existing key, three tenths inserts of new keys, one tenth
 * deletes of a random key. The choices come from a seed, so a failing trial replays the same sequence of changes
 * (not the same interleaving with the sync).
 *
 * <p>The target is any database: {@link #sql} covers a table {@code (id bigint primary key, v text, n int)} reached
 * by JDBC; other stores implement {@link Target}.
 */
public final class WriteLoad implements AutoCloseable {
    /** The changes the load makes; an operation on a missing key may do nothing. */
    public interface Target {
        /** Inserts a new row with key {@code id}. */
        void insert(long id) throws Exception;

        /** Changes the row with key {@code id}, if any; {@code op} is the number of the change (for a new value). */
        void update(long id, long op) throws Exception;

        /** Deletes the row with key {@code id}, if any. */
        void delete(long id) throws Exception;

        /** Releases the target's connection; called on the load's thread when it stops. */
        default void release() throws Exception {
        }
    }

    /**
     * What a load does.
     *
     * @param seed random seed of the operations and keys
     * @param keys updates and deletes pick a key in {@code [1, keys]}
     * @param firstNewKey inserts use keys from here upwards
     * @param pause sleep between two changes (zero: none)
     */
    public record Spec(long seed, long keys, long firstNewKey, Duration pause) {
        public Spec {
            requireNonNull(pause, "pause is null");
        }

        /** A load on keys {@code [1, keys]}, inserting from 1,000,000, with the given pause. */
        public static Spec of(long seed, long keys, Duration pause) {
            return new Spec(seed, keys, 1_000_000, pause);
        }
    }

    private final Thread thread;
    private final AtomicLong ops = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stop;

    private WriteLoad(String name, Target target, Spec spec) {
        thread = new Thread(() -> {
            Random random = new Random(spec.seed());
            long next = spec.firstNewKey();
            try {
                while (!stop) {
                    int op = random.nextInt(10);
                    long key = 1 + (long) (random.nextDouble() * spec.keys());
                    if (op < 5) {
                        target.update(key, ops.get());
                    } else if (op < 8) {
                        target.insert(next++);
                    } else {
                        target.delete(key);
                    }
                    ops.incrementAndGet();
                    if (!spec.pause().isZero()) {
                        Thread.sleep(spec.pause().toMillis(), spec.pause().toNanosPart() % 1_000_000);
                    }
                }
            } catch (InterruptedException e) {
                // stopped
            } catch (Throwable e) {
                failure.set(e);
            } finally {
                try {
                    target.release();
                } catch (Exception e) {
                    failure.compareAndSet(null, e);
                }
            }
        }, "write-load-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts a load on {@code target}. */
    public static WriteLoad start(String name, Target target, Spec spec) {
        return new WriteLoad(requireNonNull(name, "name is null"), requireNonNull(target, "target is null"),
                requireNonNull(spec, "spec is null"));
    }

    /**
     * A target table {@code (id, v, n)} over JDBC, on a connection the load owns: an insert writes {@code (id, 'new',
     * 0)}, an update sets {@code n = n + 1, v = 'u<op>'}.
     */
    public static Target sql(Connection connection, String table) {
        requireNonNull(connection, "connection is null");
        requireNonNull(table, "table is null");
        return new Target() {
            private final Statement st = statement(connection);

            @Override
            public void insert(long id) throws SQLException {
                st.execute("INSERT INTO " + table + " VALUES (" + id + ", 'new', 0)");
            }

            @Override
            public void update(long id, long op) throws SQLException {
                st.execute("UPDATE " + table + " SET n = n + 1, v = 'u" + op + "' WHERE id = " + id);
            }

            @Override
            public void delete(long id) throws SQLException {
                st.execute("DELETE FROM " + table + " WHERE id = " + id);
            }

            @Override
            public void release() throws SQLException {
                connection.close();
            }
        };
    }

    private static Statement statement(Connection c) {
        try {
            return c.createStatement();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create a statement for the write load", e);
        }
    }

    /** Changes made so far. */
    public long ops() {
        return ops.get();
    }

    /** Stops the load and waits for its thread; a failure of the load fails the caller. */
    @Override
    public void close() {
        stop = true;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the write load", e);
        }
        if (failure.get() != null) {
            throw new IllegalStateException("the write load failed after " + ops() + " changes", failure.get());
        }
    }
}
