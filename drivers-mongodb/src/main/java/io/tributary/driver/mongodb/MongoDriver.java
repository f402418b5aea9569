package io.tributary.driver.mongodb;

import static java.util.Objects.requireNonNull;

import com.mongodb.MongoCredential;
import com.mongodb.MongoException;
import com.mongodb.MongoSecurityException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.ReadPreference;
import com.mongodb.ServerAddress;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import io.tributary.core.BackfillMsgFn;
import io.tributary.core.CdcSource;
import io.tributary.core.ChangeSink;
import io.tributary.core.ChangeStreamMode;
import io.tributary.core.Chunk;
import io.tributary.core.CursorValues;
import io.tributary.core.DriverConfig;
import io.tributary.core.DriverInterface;
import io.tributary.core.IncrementalSupport;
import io.tributary.core.PositionCodec;
import io.tributary.core.WatermarkSupport;
import io.tributary.core.filter.Filter;
import io.tributary.types.CancelledException;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.RetriableException;
import io.tributary.types.Schema;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.types.ValueException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bson.BsonDocument;
import org.bson.BsonType;
import org.bson.BsonValue;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MongoDB driver (type {@code mongodb}) on the official sync driver: schema inference from a sample
 * ({@link MongoTypes}), {@code _id}-range chunks from a scan of the {@code _id} index, incremental on a primary and
 * secondary cursor, and CDC from one change stream per collection in concurrent mode ({@link MongoCdc}).
 */
public final class MongoDriver implements DriverInterface, IncrementalSupport {
    private static final Logger LOG = LoggerFactory.getLogger(MongoDriver.class);

    private final MongoConfig config;
    private volatile MongoClient client;
    private MongoCdc cdc;

    /** The unconfigured instance {@link java.util.ServiceLoader} creates; {@link #configure} returns a usable one. */
    public MongoDriver() {
        this.config = null;
    }

    private MongoDriver(MongoConfig config) {
        this.config = requireNonNull(config, "config is null");
    }

    @Override
    public String type() {
        return "mongodb";
    }

    @Override
    public Class<? extends DriverConfig> configType() {
        return MongoConfig.class;
    }

    @Override
    public MongoDriver configure(DriverConfig c) {
        return new MongoDriver(MongoConfig.class.cast(c));
    }

    @Override
    public MongoConfig config() {
        if (config == null) {
            throw new IllegalStateException("driver mongodb is not configured");
        }
        return config;
    }

    MongoClient client() {
        MongoClient c = client;
        if (c == null) {
            synchronized (this) {
                if (client == null) {
                    client = connect();
                }
                c = client;
            }
        }
        return c;
    }

    private MongoClient connect() {
        List<ServerAddress> addresses = config.hosts().stream().map(h -> {
            int colon = h.lastIndexOf(':');
            return colon < 0 ? new ServerAddress(h) : new ServerAddress(h.substring(0, colon),
                    Integer.parseInt(h.substring(colon + 1)));
        }).toList();
        var settings = com.mongodb.MongoClientSettings.builder()
                .applyToClusterSettings(b -> {
                    b.hosts(addresses).serverSelectionTimeout(config.serverSelectionTimeoutMs(), TimeUnit.MILLISECONDS);
                    config.replicaSet().ifPresent(b::requiredReplicaSetName);
                })
                .applyToSocketSettings(b -> b.connectTimeout(config.serverSelectionTimeoutMs(), TimeUnit.MILLISECONDS))
                .readPreference(ReadPreference.valueOf(config.readPreference().mongoName()));
        config.username().ifPresent(u -> settings.credential(MongoCredential.createCredential(u, config.authdb(),
                config.password().reveal().toCharArray())));
        return MongoClients.create(settings.build());
    }

    MongoDatabase database() {
        return client().getDatabase(config.database());
    }

    /** A collection read as {@link BsonDocument}s: every value keeps its exact BSON type. */
    MongoCollection<BsonDocument> collection(StreamId id) {
        return database().getCollection(id.name(), BsonDocument.class);
    }

    RuntimeException translate(MongoException e, String what) {
        if (e instanceof MongoSecurityException) {
            return new ConfigException("MongoDB rejected the credentials of user '" + config.username().orElse("")
                    + "' (authdb " + config.authdb() + ") while " + what, e);
        }
        if (e instanceof MongoTimeoutException) {
            String reach = "cannot reach MongoDB at " + config.hosts() + " within " + config.serverSelectionTimeoutMs()
                    + " ms while " + what;
            List<com.mongodb.connection.ServerDescription> servers = client == null ? List.of()
                    : client.getClusterDescription().getServerDescriptions();
            if (!servers.isEmpty() && servers.stream().allMatch(d -> hasCause(d.getException(),
                    java.net.UnknownHostException.class))) {
                return new ConfigException(reach + ": unknown host (check 'hosts')", e);
            }
            if (config.replicaSet().isPresent() && servers.stream().noneMatch(d -> config.replicaSet().get()
                    .equals(d.getSetName())) && servers.stream().anyMatch(d -> d.getException() == null
                    && d.getType() != com.mongodb.connection.ServerType.UNKNOWN)) {
                return new ConfigException(reach + ": no server is a member of replica set '"
                        + config.replicaSet().get() + "' (check 'replica_set')", e);
            }
            // refused, timed out, or no primary during an election: what a restart or a failover looks like
            return new RetriableException(reach + " (the servers are down, restarting, electing a primary or "
                    + "unreachable; retried, then check 'hosts' and 'replica_set')", e);
        }
        if (e instanceof com.mongodb.MongoSocketException && hasCause(e, java.net.UnknownHostException.class)) {
            return new ConfigException("cannot reach MongoDB at " + config.hosts() + " while " + what
                    + ": unknown host (check 'hosts')", e);
        }
        return new RetriableException("MongoDB error while " + what + ": " + e.getMessage(), e);
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void setup() {
        try {
            database().runCommand(new Document("ping", 1));
        } catch (MongoException e) {
            throw translate(e, "connecting");
        }
    }

    /**
     * A replica set: {@code mongodb:replset=<set name>/<replicaSetId>/<database>}, where {@code replicaSetId} is the
     * ObjectId {@code rs.initiate()} generated ({@code settings.replicaSetId} in {@code local.system.replset}; every
     * member shares it, so a failover keeps it); without read access to {@code local} it is
     * {@code mongodb:replset=<set name>/<database>} (set names such as {@code rs0} repeat across deployments). A
     * sharded cluster (through {@code mongos}): {@code mongodb:cluster=<clusterId>/<database>} from
     * {@code config.version}, or {@code mongodb:sharded/<database>} without read access to {@code config}. A
     * server that reports neither (a standalone, or the in-JVM mongo-java-server the tests use): only the database,
     * {@code mongodb:standalone/<database>}, so a state is not tied to the server itself.
     */
    @Override
    public Optional<String> sourceIdentity() {
        Document hello;
        try {
            hello = client().getDatabase("admin").runCommand(new Document("isMaster", 1));
        } catch (MongoException e) {
            throw translate(e, "reading the server's identity");
        }
        String setName = hello.getString("setName");
        if (setName != null) {
            return Optional.of("mongodb:replset=" + setName
                    + readId("local", "system.replset", "settings", "replicaSetId").map(id -> "/" + id).orElse("")
                    + "/" + config.database());
        }
        if ("isdbgrid".equals(hello.getString("msg"))) {
            return Optional.of(readId("config", "version", null, "clusterId").map(id -> "mongodb:cluster=" + id)
                    .orElse("mongodb:sharded") + "/" + config.database());
        }
        return Optional.of("mongodb:standalone/" + config.database());
    }

    /** {@code [object.]field} of the first document of {@code db.collection} as text, or empty when unreadable. */
    private Optional<String> readId(String db, String collection, String object, String field) {
        try {
            Document d = client().getDatabase(db).getCollection(collection).find().first();
            Object v = d == null ? null : object == null ? d.get(field)
                    : d.get(object) instanceof Document o ? o.get(field) : null;
            return Optional.ofNullable(v).map(x -> x instanceof ObjectId oid ? oid.toHexString() : x.toString());
        } catch (MongoException e) {
            LOG.info("cannot read {}.{} ({}): the state's source identity omits its id", db, collection,
                    e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public int maxConnections() {
        return config.maxThreads();
    }

    @Override
    public int maxRetries() {
        return config.retryCount();
    }

    @Override
    public List<StreamId> getStreamNames() {
        try {
            List<StreamId> out = new ArrayList<>();
            for (String name : database().listCollectionNames()) {
                if (!name.startsWith("system.")) {
                    out.add(StreamId.of(config.database(), name));
                }
            }
            if (out.isEmpty()) {
                requireDatabase();
            }
            out.sort(null);
            return out;
        } catch (MongoException e) {
            throw translate(e, "listing collections of " + config.database());
        }
    }

    /**
     * A MongoDB database exists only while it holds a collection: discovering one without any (a typo in
     * 'database') is a configuration error naming it and the databases there are, not an empty catalog.
     */
    private void requireDatabase() {
        List<String> names = new ArrayList<>();
        try {
            client().listDatabaseNames().into(names);
        } catch (MongoException e) {
            LOG.debug("cannot list databases: {}", e.getMessage());
        }
        names.remove(config.database());
        names.sort(null);
        throw new ConfigException("database '" + config.database() + "' has no collection: it does not exist (or is "
                + "empty); databases: " + names + " (check 'database' in the source config)");
    }

    /** A collection is created by its first insert, so reading a missing one would silently sync nothing. */
    private void requireCollection(StreamId stream) {
        if (!stream.namespace().equals(config.database())) {
            throw new ConfigException("stream " + stream + " is not in database '" + config.database()
                    + "' (check 'database' in the source config, or the stream's namespace in the catalog)");
        }
        try {
            for (String name : database().listCollectionNames()) {
                if (name.equals(stream.name())) {
                    return;
                }
            }
        } catch (MongoException e) {
            throw translate(e, "listing collections of " + config.database());
        }
        throw new ConfigException("stream " + stream + " does not exist (no such collection in database '"
                + config.database() + "')");
    }

    @Override
    public Stream produceSchema(StreamId stream) {
        requireCollection(stream);
        Map<String, DataType> types = new LinkedHashMap<>();
        Map<String, Integer> seen = new LinkedHashMap<>();
        int docs = 0;
        try (MongoCursor<BsonDocument> it = collection(stream).find().limit(config.sampleSize()).iterator()) {
            while (it.hasNext()) {
                BsonDocument d = it.next();
                docs++;
                for (Map.Entry<String, BsonValue> e : d.entrySet()) {
                    types.merge(e.getKey(), MongoTypes.of(e.getValue()), MongoTypes::widen);
                    seen.merge(e.getKey(), e.getValue().isNull() ? 0 : 1, Integer::sum);
                }
            }
        } catch (MongoException e) {
            throw translate(e, "sampling " + stream);
        }
        List<Field> fields = new ArrayList<>();
        DataType idType = types.getOrDefault("_id", DataType.STRING);
        fields.add(Field.of("_id", idType == DataType.NULL ? DataType.STRING : idType, false));
        for (Map.Entry<String, DataType> e : types.entrySet()) {
            if (e.getKey().equals("_id")) {
                continue;
            }
            DataType t = e.getValue() == DataType.NULL ? DataType.STRING : e.getValue();
            fields.add(t == DataType.DECIMAL ? Field.decimal(e.getKey(), 0, 0, true) : Field.nullable(e.getKey(), t));
        }
        Set<String> cursors = new LinkedHashSet<>();
        for (Field f : fields) {
            if (f.type().isInteger() || f.type().isFloating() || f.type().isTimestamp() || f.type() == DataType.STRING
                    || f.type() == DataType.DECIMAL) {
                cursors.add(f.name());
            }
        }
        LOG.debug("stream {}: inferred {} fields from {} documents", stream, fields.size(), docs);
        return Stream.of(stream, new Schema(fields), List.of("_id"), cursors,
                Set.of(SyncMode.FULL_REFRESH, SyncMode.INCREMENTAL, SyncMode.CDC, SyncMode.STRICT_CDC));
    }

    // ------------------------------------------------------------------ backfill

    @Override
    public List<Chunk> getOrSplitChunks(ConfiguredStream stream) {
        return getOrSplitChunks(stream, config.partitionSize());
    }

    @Override
    public List<Chunk> getOrSplitChunks(ConfiguredStream stream, long maxChunkRows) {
        long partitionSize = Math.max(1, Math.min(config.partitionSize(), maxChunkRows));
        MongoCollection<BsonDocument> c = collection(stream.id());
        try {
            long count = c.countDocuments();
            if (config.chunkingStrategy() == MongoConfig.ChunkingStrategy.SINGLE || count <= partitionSize) {
                return List.of(Chunk.all());
            }
            List<Object> bounds = new ArrayList<>();
            BsonType idClass = null;
            long i = 0;
            try (MongoCursor<BsonDocument> it = c.find().projection(Projections.include("_id"))
                    .sort(Sorts.ascending("_id")).iterator()) {
                while (it.hasNext()) {
                    BsonValue id = it.next().get("_id");
                    BsonType k = id == null ? BsonType.NULL : id.isInt32() ? BsonType.INT64 : id.getBsonType();
                    if (idClass == null) {
                        idClass = k;
                    } else if (idClass != k) {
                        LOG.warn("stream {}: _id values of several types ({} and {}); reading it as one chunk",
                                stream.id(), idClass, k);
                        return List.of(Chunk.all());
                    }
                    if (++i % partitionSize == 0) {
                        bounds.add(encode(id));
                    }
                }
            }
            if (bounds.contains(null)) {
                return List.of(Chunk.all());
            }
            return Chunk.between(bounds);
        } catch (MongoException e) {
            throw translate(e, "splitting " + stream.id());
        }
    }

    /** An {@code _id} as a chunk bound that survives state JSON: numbers as numbers, others tagged text. */
    static Object encode(BsonValue id) {
        if (id == null) {
            return null;
        }
        return switch (id.getBsonType()) {
            case INT32, INT64 -> id.asNumber().longValue();
            case DOUBLE -> id.asDouble().getValue();
            case OBJECT_ID -> "oid:" + id.asObjectId().getValue().toHexString();
            case STRING -> "str:" + id.asString().getValue();
            default -> null; // not range-splittable
        };
    }

    static Object decode(Object bound) {
        if (bound instanceof String s) {
            if (s.startsWith("oid:")) {
                return new ObjectId(s.substring(4));
            }
            if (s.startsWith("str:")) {
                return s.substring(4);
            }
        }
        return bound;
    }

    @Override
    public void chunkIterator(ConfiguredStream stream, Chunk chunk, CursorValues upperBound,
            BackfillMsgFn processFn) {
        List<Bson> filters = new ArrayList<>();
        if (chunk.min() != null) {
            filters.add(Filters.gte("_id", decode(chunk.min())));
        }
        if (chunk.max() != null) {
            filters.add(Filters.lt("_id", decode(chunk.max())));
        }
        if (!upperBound.isEmpty()) {
            filters.add(upperBound(stream, upperBound));
        }
        read(stream, filters.isEmpty() ? new Document() : Filters.and(filters), null, processFn);
    }

    private static Field field(ConfiguredStream s, String name) {
        return s.schema().field(name).orElse(null);
    }

    private static Bson upperBound(ConfiguredStream s, CursorValues bound) {
        String p = s.primaryCursor().orElseThrow();
        Bson prim = bound.primary() != null ? Filters.lte(p, MongoTypes.toBson(field(s, p), bound.primary()))
                : Filters.eq("_tributary_never", "x");
        Bson nulls = Filters.eq(p, null);
        if (s.secondaryCursor().isPresent() && bound.secondary() != null) {
            String sc = s.secondaryCursor().get();
            nulls = Filters.and(Filters.eq(p, null), Filters.or(Filters.eq(sc, null),
                    Filters.lte(sc, MongoTypes.toBson(field(s, sc), bound.secondary()))));
        }
        return Filters.or(prim, nulls);
    }

    private void read(ConfiguredStream stream, Bson bounds, Bson sort, BackfillMsgFn fn) {
        Schema schema = stream.schema();
        Bson filter = stream.filter().map(f -> Filters.and(bounds, MongoFilters.toBson(Filter.parse(f), schema)))
                .orElse(bounds);
        long n = 0;
        try (MongoCursor<BsonDocument> it = (sort == null ? collection(stream.id()).find(filter)
                : collection(stream.id()).find(filter).sort(sort)).batchSize(5_000).iterator()) {
            while (it.hasNext()) {
                fn.accept(row(it.next(), schema, stream.id()));
                if ((++n & 0xfff) == 0 && Thread.currentThread().isInterrupted()) {
                    throw new CancelledException("reading " + stream.id() + " was cancelled");
                }
            }
        } catch (MongoException e) {
            throw translate(e, "reading " + stream.id());
        }
    }

    static Object[] row(BsonDocument d, Schema schema, StreamId id) {
        Object[] values = new Object[schema.size()];
        try {
            for (int i = 0; i < values.length; i++) {
                Field f = schema.field(i);
                values[i] = MongoTypes.value(d.get(f.name()), f, id.toString());
            }
        } catch (ValueException e) {
            throw e.in(id.toString(), key(d));
        }
        return values;
    }

    /** A document's {@code _id} for messages. */
    static String key(BsonDocument d) {
        BsonValue v = d.get("_id");
        return v == null ? null : MongoTypes.identity(v);
    }

    // ------------------------------------------------------------------ incremental

    @Override
    public Optional<IncrementalSupport> incremental() {
        return Optional.of(this);
    }

    @Override
    public CursorValues fetchMaxCursorValues(ConfiguredStream stream) {
        String p = stream.primaryCursor().orElseThrow();
        Object maxP = max(stream, p);
        Object maxS = stream.secondaryCursor().map(s -> max(stream, s)).orElse(null);
        return new CursorValues(maxP, maxS);
    }

    private Object max(ConfiguredStream stream, String field) {
        BsonDocument d = collection(stream.id()).find(Filters.ne(field, null)).sort(Sorts.descending(field))
                .limit(1).first();
        return d == null ? null : MongoTypes.value(d.get(field), stream.schema().field(field).orElseThrow(),
                stream.id().name());
    }

    @Override
    public void streamIncrementalChanges(ConfiguredStream stream, CursorValues from, BackfillMsgFn processFn) {
        String p = stream.primaryCursor().orElseThrow();
        Bson filter = new Document();
        if (!from.isEmpty()) {
            Bson prim = from.primary() != null ? Filters.gte(p, MongoTypes.toBson(field(stream, p), from.primary()))
                    : Filters.ne(p, null);
            Bson nulls = Filters.eq("_tributary_never", "x");
            if (stream.secondaryCursor().isPresent()) {
                String s = stream.secondaryCursor().get();
                nulls = from.secondary() != null
                        ? Filters.and(Filters.eq(p, null),
                                Filters.gte(s, MongoTypes.toBson(field(stream, s), from.secondary())))
                        : Filters.eq(p, null);
            }
            filter = Filters.or(prim, nulls);
        }
        read(stream, filter, Sorts.ascending(p), processFn);
    }

    // ------------------------------------------------------------------ CDC

    @Override
    public ChangeStreamMode changeStreamMode() {
        return ChangeStreamMode.CONCURRENT;
    }

    @Override
    public void preCDC(List<ConfiguredStream> streams) {
        cdc = new MongoCdc(this, config, streams);
    }

    /**
     * Change streams with positions the engine saves in each collection's state ({@link MongoPosition}); nothing is
     * acknowledged to the server (a change stream keeps no reader position).
     */
    @Override
    public Optional<CdcSource<?>> cdcSource() {
        return Optional.of(changes);
    }

    private final CdcSource<MongoPosition> changes = new CdcSource<>() {
        @Override
        public PositionCodec<MongoPosition> positionCodec() {
            return MongoPosition.CODEC;
        }

        @Override
        public MongoPosition startPosition(int identifier, List<ConfiguredStream> streams) {
            return cdc().startPosition(streams.get(0));
        }

        @Override
        public void streamChanges(int identifier, MongoPosition from, ChangeSink<MongoPosition> sink) {
            cdc().stream(identifier, from, sink);
        }
    };

    private MongoCdc cdc() {
        MongoCdc c = cdc;
        if (c == null) {
            throw new io.tributary.types.NonRetriableException("CDC called before preCDC");
        }
        return c;
    }

    /**
     * Watermarks are oplog positions (the newest {@code local.oplog.rs} entry), read-only; the collection's change
     * stream hands one over once it has passed that position.
     */
    @Override
    public Optional<WatermarkSupport> watermarks() {
        return Optional.of(this::writeWatermark);
    }

    private void writeWatermark(int identifier, String watermark) {
        MongoCdc c = cdc;
        if (c == null) {
            throw new io.tributary.types.NonRetriableException("writeWatermark called before preCDC");
        }
        c.watermark(identifier, watermark);
    }

    @Override
    public void close() {
        MongoClient c = client;
        client = null;
        if (c != null) {
            c.close();
        }
    }
}
