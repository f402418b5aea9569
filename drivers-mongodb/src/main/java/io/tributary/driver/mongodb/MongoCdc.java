package io.tributary.driver.mongodb;

import com.mongodb.MongoCommandException;
import com.mongodb.MongoException;
import com.mongodb.client.ChangeStreamIterable;
import com.mongodb.client.MongoChangeStreamCursor;
import com.mongodb.client.model.changestream.ChangeStreamDocument;
import com.mongodb.client.model.changestream.FullDocument;
import io.tributary.core.CdcChange;
import io.tributary.core.ChangePoller;
import io.tributary.core.ChangeSink;
import io.tributary.core.ChangeStreamLoop;
import io.tributary.core.WatermarkQueue;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.NonRetriableException;
import io.tributary.types.OpType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonTimestamp;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Change streams, one per collection (concurrent mode, as OLake): {@code fullDocument: updateLookup}; inserts,
 * updates and replaces carry the whole document, deletes its {@code _id}; fields the discovered schema lacks, and
 * values of another type than their column's, evolve the stream's schema ({@link EvolvingSchema}). Position per
 * stream in its state: {@code _data} (the resume token), or, before the first change was seen on a server that
 * returns no post-batch token, {@code cdc_start_after} (the oplog timestamp of the newest change before the
 * backfill; the stream starts right after it), or where {@code local.oplog.rs} is not readable {@code cdc_start} (a
 * cluster time in seconds; the changes of that second may be replayed and are upserted again). A position is saved
 * only after the orchestrator committed the writers. The run's bound and checkpoints are the engine's
 * ({@link ChangeStreamLoop}): a bounded run ends at the first event stamped after the log's end as of its start, or
 * when no change arrives for {@code initial_wait_time} seconds (one second once changes flowed). An empty poll waits
 * on the server ({@code maxAwaitTime} {@link #AWAIT}). A resume token the oplog no longer holds is a
 * {@link NonRetriableException} naming the collection: clear the stream's state to backfill it again.
 */
final class MongoCdc {
    private static final Logger LOG = LoggerFactory.getLogger(MongoCdc.class);

    /** Per change stream, watermarks at an oplog position, tagged with the stream's poll count when written. */
    private final Map<Integer, WatermarkQueue<BsonTimestamp>> marks = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicLong> polls = new ConcurrentHashMap<>();
    /**
     * How long an empty poll waits on the server for an event ({@code maxAwaitTime}): a change arrives as soon as it
     * is written, and an idle stream costs a round trip per wait.
     */
    static final Duration AWAIT = Duration.ofMillis(10);
    static final String TOKEN = "_data";
    static final String START = "cdc_start";
    /** The oplog timestamp ({@code t << 32 | i}) after which the stream starts (a server without start tokens). */
    static final String START_AFTER = "cdc_start_after";

    private final MongoDriver driver;
    private final MongoConfig config;
    private final List<ConfiguredStream> streams;

    MongoCdc(MongoDriver driver, MongoConfig config, List<ConfiguredStream> streams) {
        this.driver = driver;
        this.config = config;
        this.streams = List.copyOf(streams);
    }

    /**
     * Before any backfill: the collection's current change-stream position (its resume token; where the server gives
     * none, right after the newest oplog entry, or a second before now when the oplog is not readable).
     */
    MongoPosition startPosition(ConfiguredStream s) {
        try (MongoChangeStreamCursor<ChangeStreamDocument<BsonDocument>> c = driver.collection(s.id()).watch()
                .cursor()) {
            ChangeStreamDocument<BsonDocument> first = c.tryNext();
            BsonDocument token = first != null ? first.getResumeToken() : c.getResumeToken();
            if (token != null && token.containsKey(TOKEN)) {
                return new MongoPosition.ResumeToken(token.getString(TOKEN).getValue());
            }
            BsonTimestamp last = newestOplogEntry();
            if (last != null) {
                // exactly after the last change before the backfill: nothing before it is replayed
                return new MongoPosition.StartAfter(last.getValue());
            }
            return new MongoPosition.StartAt(System.currentTimeMillis() / 1000 - 1);
        } catch (MongoException e) {
            throw driver.translate(e, "opening a change stream on " + s.id());
        }
    }

    /** The newest oplog entry's timestamp, or null when the oplog is empty or not readable. */
    private BsonTimestamp newestOplogEntry() {
        try {
            Document last = driver.client().getDatabase("local").getCollection("oplog.rs").find()
                    .sort(new Document("$natural", -1)).limit(1).first();
            return last != null && last.get("ts") instanceof BsonTimestamp ts ? ts : null;
        } catch (MongoException e) {
            LOG.info("cannot read local.oplog.rs ({}): the change stream starts a second before now, and may replay "
                    + "changes of that second", e.getMessage());
            return null;
        }
    }

    /**
     * Registers a watermark at the newest oplog entry. The stream hands it over before the first event after that
     * entry, or when a poll that started after this call found nothing more (the stream is past it).
     */
    void watermark(int identifier, String text) {
        long before = polls(identifier).get();
        BsonTimestamp at;
        try {
            Document last = driver.client().getDatabase("local").getCollection("oplog.rs").find()
                    .sort(new Document("$natural", -1)).limit(1).first();
            at = last != null && last.get("ts") instanceof BsonTimestamp ts ? ts : new BsonTimestamp(0, 0);
        } catch (MongoException e) {
            throw driver.translate(e, "reading the oplog position (the user needs read access to local.oplog.rs)");
        }
        marks.computeIfAbsent(identifier, k -> new WatermarkQueue<>()).add(at, before, text);
    }

    /**
     * Hands over the watermarks before {@code next} (null: everything up to now was read); true when one was handed
     * over.
     */
    private boolean deliverMarks(int identifier, ChangeSink<MongoPosition> fn, BsonTimestamp next, long pollSeq) {
        WatermarkQueue<BsonTimestamp> q = marks.get(identifier);
        return q != null && q.deliverWhile(m -> next != null ? m.at().compareTo(next) < 0 : pollSeq > m.tag(),
                fn::watermark);
    }

    /** Streams collection {@code identifier}'s changes from {@code from} (the saved position) into {@code fn}. */
    void stream(int identifier, MongoPosition from, ChangeSink<MongoPosition> fn) {
        ConfiguredStream s = streams.get(identifier);
        ChangeStreamIterable<BsonDocument> watch = driver.collection(s.id()).watch()
                .fullDocument(FullDocument.UPDATE_LOOKUP).maxAwaitTime(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (from instanceof MongoPosition.ResumeToken rt) {
            String token = rt.data();
            if (!HEX.matcher(token).matches()) {
                // MongoDB's resume tokens are hex KeyStrings; anything else is a damaged or foreign state file
                throw new NonRetriableException("stream " + s.id() + ": the saved resume token '" + abbreviate(token)
                        + "' is malformed (expected a hex string); the state file is damaged or from another "
                        + "source: clear this stream's state to backfill it again");
            }
            watch = watch.resumeAfter(new BsonDocument(TOKEN, new BsonString(token)));
        } else if (from instanceof MongoPosition.StartAfter sa) {
            BsonTimestamp after = new BsonTimestamp(sa.oplogTimestamp());
            watch = watch.startAtOperationTime(after.getInc() == -1 ? new BsonTimestamp(after.getTime() + 1, 0)
                    : new BsonTimestamp(after.getTime(), after.getInc() + 1));
        } else {
            long start = ((MongoPosition.StartAt) from).clusterSeconds();
            watch = watch.startAtOperationTime(new BsonTimestamp((int) start, 0));
        }
        try (MongoChangeStreamCursor<ChangeStreamDocument<BsonDocument>> c = watch.cursor()) {
            Poller poller = new Poller(identifier, s, c, from);
            ChangeStreamLoop.run("change stream of " + s.id(), poller, fn,
                    Duration.ofSeconds(config.initialWaitTime()));
            LOG.info("stream {}: change stream run read {} changes", s.id(), poller.total);
        } catch (MongoCommandException e) {
            if (e.getErrorCode() == 260) { // InvalidResumeToken
                throw new NonRetriableException("stream " + s.id() + ": the server refused the saved resume token ("
                        + e.getErrorCodeName() + "); clear this stream's state to backfill it again", e);
            }
            if (e.getErrorCode() == 286 || e.getErrorCode() == 280 || e.getErrorCode() == 136) {
                throw new NonRetriableException("stream " + s.id() + ": the saved resume token is no longer in the "
                        + "oplog (" + e.getErrorCodeName() + "); clear this stream's state to backfill it again", e);
            }
            throw driver.translate(e, "streaming changes of " + s.id());
        } catch (MongoException e) {
            throw driver.translate(e, "streaming changes of " + s.id());
        }
    }

    /**
     * One run of a collection's change stream: each poll waits on the server for the next event (up to
     * {@link #AWAIT}), decodes it and keeps the position (the last event's resume token). Every event is a boundary.
     */
    private final class Poller implements ChangePoller<MongoPosition> {
        private final int identifier;
        private final ConfiguredStream s;
        private final MongoChangeStreamCursor<ChangeStreamDocument<BsonDocument>> cursor;
        private final EvolvingSchema schema;
        private final AtomicLong polls;
        /** A bounded run ends at the first event stamped after the end of the log as of its start. */
        private final long endSecond = System.currentTimeMillis() / 1000 + 1;
        private final long begin = System.nanoTime();
        private MongoPosition position;
        /** An event read, held while the watermarks before it are checkpointed. */
        private ChangeStreamDocument<BsonDocument> pending;
        private boolean pastEnd;
        private boolean ended;
        long total;

        Poller(int identifier, ConfiguredStream s, MongoChangeStreamCursor<ChangeStreamDocument<BsonDocument>> cursor,
                MongoPosition from) {
            this.identifier = identifier;
            this.s = s;
            this.cursor = cursor;
            this.schema = new EvolvingSchema(s.schema(), s.id().toString());
            this.polls = polls(identifier);
            this.position = from;
        }

        @Override
        public int poll(ChangeSink<MongoPosition> fn, Duration max) throws InterruptedException {
            ChangeStreamDocument<BsonDocument> e = pending;
            pending = null;
            if (e == null) {
                long pollSeq = polls.incrementAndGet();
                long began = System.nanoTime();
                e = cursor.tryNext(); // waits on the server up to AWAIT for an event
                if (e == null) {
                    deliverMarks(identifier, fn, null, pollSeq);
                    awaitRest(began);
                    return NOTHING;
                }
                if (e.getClusterTime() != null && deliverMarks(identifier, fn, e.getClusterTime(), pollSeq)) {
                    pending = e; // a checkpoint the marks want goes before this event
                    return 0;
                }
            }
            Instant at = e.getClusterTime() != null ? Instant.ofEpochSecond(e.getClusterTime().getTime())
                    : Instant.now();
            String op = e.getOperationTypeString();
            Object[] values = null;
            OpType kind = null;
            switch (op) {
                case "insert", "update", "replace" -> {
                    // updateLookup finds no document when it was deleted since (MongoDB gives null,
                    // mongo-java-server a partial document without _id): the delete event follows, skip this
                    if (e.getFullDocument() != null && e.getFullDocument().containsKey("_id")) {
                        values = schema.row(e.getFullDocument());
                        kind = op.equals("insert") ? OpType.CREATE : OpType.UPDATE;
                    }
                }
                case "delete" -> {
                    values = schema.row(decodeKey(e));
                    kind = OpType.DELETE;
                }
                default -> {
                    LOG.info("stream {}: change stream event {} ends this run", s.id(), op);
                    ended = true; // drop, rename, invalidate
                }
            }
            if (values != null) {
                fn.accept(new CdcChange(s.id(), kind, at, schema.schema(), values));
                total++;
            }
            if (e.getResumeToken() != null && e.getResumeToken().containsKey(TOKEN)) {
                position = new MongoPosition.ResumeToken(e.getResumeToken().getString(TOKEN).getValue());
            }
            pastEnd = e.getClusterTime() != null ? e.getClusterTime().getTime() > endSecond
                    : System.nanoTime() - begin > TimeUnit.SECONDS.toNanos(Math.max(5, 2L * config.initialWaitTime()));
            return values != null ? 1 : 0;
        }

        @Override
        public boolean atBoundary() {
            return true;
        }

        @Override
        public MongoPosition position() {
            return position;
        }

        @Override
        public boolean reachedEnd() {
            return pastEnd;
        }

        @Override
        public boolean ended() {
            return ended;
        }
    }

    /**
     * After an empty poll that returned before {@link #AWAIT} (a server that does not wait for events on a change
     * stream, as mongo-java-server): waits the rest of it, as a server honouring the await time would have.
     */
    private static void awaitRest(long began) throws InterruptedException {
        long rest = AWAIT.toNanos() - (System.nanoTime() - began);
        if (rest > 0) {
            LockSupport.parkNanos(rest);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    private AtomicLong polls(int identifier) {
        return polls.computeIfAbsent(identifier, k -> new AtomicLong());
    }

    private static final java.util.regex.Pattern HEX = java.util.regex.Pattern.compile("[0-9A-Fa-f]+");

    private static String abbreviate(String token) {
        return token.length() <= 40 ? token : token.substring(0, 40) + "...";
    }

    /** The deleted document's {@code _id} as it is in BSON (never through JSON text, which loses int64 vs int32). */
    private static BsonDocument decodeKey(ChangeStreamDocument<BsonDocument> e) {
        BsonDocument d = new BsonDocument();
        if (e.getDocumentKey() != null && e.getDocumentKey().containsKey("_id")) {
            d.put("_id", e.getDocumentKey().get("_id"));
        }
        return d;
    }
}
