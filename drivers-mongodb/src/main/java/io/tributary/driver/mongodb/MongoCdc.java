package io.tributary.driver.mongodb;

import com.mongodb.MongoCommandException;
import com.mongodb.MongoException;
import com.mongodb.client.ChangeStreamIterable;
import com.mongodb.client.MongoChangeStreamCursor;
import com.mongodb.client.model.changestream.ChangeStreamDocument;
import com.mongodb.client.model.changestream.FullDocument;
import io.tributary.core.CdcChange;
import io.tributary.core.ChangeSink;
import io.tributary.core.WatermarkQueue;
import io.tributary.types.CancelledException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.NonRetriableException;
import io.tributary.types.OpType;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
 * only after the orchestrator committed the writers. A bounded run ends when no change arrives for
 * {@code initial_wait_time} seconds (one second once changes flowed). A resume token the oplog no longer holds is a
 * {@link NonRetriableException} naming the collection: clear the stream's state to backfill it again.
 */
final class MongoCdc {
    private static final Logger LOG = LoggerFactory.getLogger(MongoCdc.class);

    /** Per change stream, watermarks at an oplog position, tagged with the stream's poll count when written. */
    private final Map<Integer, WatermarkQueue<BsonTimestamp>> marks = new ConcurrentHashMap<>();
    private final Map<Integer, java.util.concurrent.atomic.AtomicLong> polls = new ConcurrentHashMap<>();
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
        java.util.concurrent.atomic.AtomicLong p = polls.computeIfAbsent(identifier, k -> new java.util.concurrent.atomic.AtomicLong());
        long before = p.get();
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

    /** Hands over the watermarks before {@code next} (null: everything up to now was read). */
    private void deliverMarks(int identifier, ChangeSink<MongoPosition> fn, BsonTimestamp next, long pollSeq) {
        WatermarkQueue<BsonTimestamp> q = marks.get(identifier);
        if (q != null) {
            q.deliverWhile(m -> next != null ? m.at().compareTo(next) < 0 : pollSeq > m.tag(), fn::watermark);
        }
    }

    /** Streams collection {@code identifier}'s changes from {@code from} (the saved position) into {@code fn}. */
    void stream(int identifier, MongoPosition from, ChangeSink<MongoPosition> fn) {
        ConfiguredStream s = streams.get(identifier);
        ChangeStreamIterable<BsonDocument> watch = driver.collection(s.id()).watch()
                .fullDocument(FullDocument.UPDATE_LOOKUP);
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
        EvolvingSchema schema = new EvolvingSchema(s.schema(), s.id().toString());
        long total = 0;
        MongoPosition position = from;
        // a bounded run ends at the end of the log as of its start: the first event stamped later than that (a
        // steady load never leaves the stream idle long enough to end on the idle timeout)
        long endSecond = System.currentTimeMillis() / 1000 + 1;
        long begin = System.nanoTime();
        try (MongoChangeStreamCursor<ChangeStreamDocument<BsonDocument>> c = watch.cursor()) {
            long last = System.nanoTime();
            boolean any = false;
            while (true) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new CancelledException("change stream of " + s.id() + " was cancelled");
                }
                java.util.concurrent.atomic.AtomicLong p = polls.computeIfAbsent(identifier,
                        k -> new java.util.concurrent.atomic.AtomicLong());
                long pollSeq = p.incrementAndGet();
                ChangeStreamDocument<BsonDocument> e = c.tryNext();
                if (e == null) {
                    deliverMarks(identifier, fn, null, pollSeq);
                    if (fn.checkpointWanted()) {
                        fn.checkpoint(position);
                    }
                    if (fn.keepStreaming()) {
                        Thread.sleep(5);
                        continue;
                    }
                    long idle = (System.nanoTime() - last) / 1_000_000;
                    if (idle >= (any ? Math.min(1_000, config.initialWaitTime() * 1_000L)
                            : config.initialWaitTime() * 1_000L)) {
                        break;
                    }
                    Thread.sleep(20);
                    continue;
                }
                last = System.nanoTime();
                any = true;
                if (e.getClusterTime() != null) {
                    deliverMarks(identifier, fn, e.getClusterTime(), pollSeq);
                    if (fn.checkpointWanted()) {
                        fn.checkpoint(position);
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
                    default -> LOG.info("stream {}: change stream event {} ends this run", s.id(), op);
                }
                if (values != null) {
                    fn.accept(new CdcChange(s.id(), kind, at, schema.schema(), values));
                    total++;
                }
                if (e.getResumeToken() != null && e.getResumeToken().containsKey(TOKEN)) {
                    position = new MongoPosition.ResumeToken(e.getResumeToken().getString(TOKEN).getValue());
                }
                if (fn.checkpointWanted()) { // the engine's cadence: every 20,000 changes, or sooner
                    fn.checkpoint(position);
                }
                if (kind == null && !op.equals("insert") && !op.equals("update") && !op.equals("replace")) {
                    break; // drop, rename, invalidate
                }
                boolean pastEnd = e.getClusterTime() != null ? e.getClusterTime().getTime() > endSecond
                        : System.nanoTime() - begin > TimeUnit.SECONDS.toNanos(Math.max(5, 2L * config.initialWaitTime()));
                if (pastEnd && !fn.keepStreaming()) {
                    break;
                }
            }
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
        } catch (InterruptedException e) {
            throw CancelledException.interrupted("change stream of " + s.id(), e);
        }
        fn.checkpoint(position);
        LOG.info("stream {}: change stream run read {} changes", s.id(), total);
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
