package io.tributary.writer.parquet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.types.Secret;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.DefaultColumns;
import io.tributary.types.Json;
import io.tributary.types.NonRetriableException;
import io.tributary.types.RetriableException;
import io.tributary.types.Schema;
import io.tributary.types.StreamId;
import io.tributary.writer.Destination;
import io.tributary.writer.DestinationWriter;
import io.tributary.writer.DistinctTargets;
import io.tributary.writer.MetadataState;
import io.tributary.writer.Record;
import io.tributary.writer.ValueGuard;
import io.tributary.writer.WriterMemory;
import io.tributary.writer.WriterOptions;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.iceberg.aws.s3.S3FileIO;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.InputFile;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parquet files on S3 (or an S3-compatible server), written through Iceberg's {@code S3FileIO}:
 * {@code <path>/<namespace>/<name>/<commit>-<n>.parquet}. Object stores have no rename, so nothing is renamed:
 * <ol>
 *   <li>a writer thread uploads its data files straight under names no other commit uses (time, sequence, thread
 *       ID and a random part);</li>
 *   <li>its commit is one object, {@code _commits/<commit>.json} (thread ID, metadata state, record count, the data
 *       files), put after every data file is complete. A PUT is atomic and S3 reads after it are consistent: the
 *       commit is in the table exactly when its record exists;</li>
 *   <li>readers and resume use the commit records: the table is the files they list. A data file that no record
 *       lists belongs to a writer that crashed or aborted (or is still writing); when the destination opens a
 *       stream it deletes such orphans before it writes, and an aborting writer deletes its own.</li>
 * </ol>
 * A reader that globs {@code *.parquet} instead of reading {@code _commits} can see a running or crashed writer's
 * files; the local-folder writer ({@link ParquetDestination}) hides them with temp names instead. Rows, types and
 * upsert semantics are those of {@link ParquetDestination}.
 */
public final class ObjectStoreParquetDestination implements Destination {
    private static final Logger LOG = LoggerFactory.getLogger(ObjectStoreParquetDestination.class);
    static final String COMMITS = "_commits";
    private static final String SUFFIX = ".parquet";
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final int SIZE_CHECK_EVERY = 1024;

    private final ParquetConfig config;
    private final String root;
    private final S3FileIO io;
    private final Map<StreamId, Map<String, MetadataState>> index = new ConcurrentHashMap<>();

    public ObjectStoreParquetDestination(ParquetConfig config) {
        this.config = config;
        this.root = config.path().replaceAll("/+$", "");
        S3FileIO fileIo = new S3FileIO();
        try {
            fileIo.initialize(config.fileIoProperties());
        } catch (RuntimeException e) {
            throw new ConfigException("parquet writer: cannot set up S3 for " + root + ": " + redact(e.getMessage()),
                    e);
        }
        this.io = fileIo;
    }

    /** {@code <path>}, without a trailing slash. */
    public String root() {
        return root;
    }

    /** The location of a stream's files: {@code <path>/<namespace>/<name>}. */
    public String streamLocation(StreamId stream) {
        return root + "/" + ParquetDestination.safe(stream.namespace().isEmpty() ? "default" : stream.namespace())
                + "/" + ParquetDestination.safe(stream.name());
    }

    /** The data files of a stream's commits, in commit order: what a reader reads. */
    public List<String> committedFiles(StreamId stream) {
        List<String> out = new ArrayList<>();
        for (Commit c : readCommits(streamLocation(stream))) {
            c.files().forEach(f -> out.add(streamLocation(stream) + "/" + f));
        }
        return out;
    }

    private String redact(String message) {
        return Secret.redact(message, config.fileIoProperties());
    }

    @Override
    public void check() {
        String probe = root + "/.tributary-check-" + UUID.randomUUID();
        try {
            try (var out = io.newOutputFile(probe).create()) {
                out.write("tributary check\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }
            io.deleteFile(probe);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException("parquet writer: cannot write to " + root + ": " + redact(e.getMessage()), e);
        }
    }

    @Override
    public void preflight(Collection<ConfiguredStream> streams) {
        DistinctTargets.require(streams, this::streamLocation, "location",
                "Rename one of them in the source, or write them to separate destinations.");
    }

    @Override
    public Optional<MetadataState> committedState(StreamId stream, String threadId) {
        return Optional.ofNullable(commits(stream).get(threadId));
    }

    private Map<String, MetadataState> commits(StreamId stream) {
        return index.computeIfAbsent(stream, this::recover);
    }

    private record Commit(String name, String threadId, ObjectNode state, List<String> files) {}

    /** The commit records under a stream's location, oldest first. */
    private List<Commit> readCommits(String location) {
        List<Commit> out = new ArrayList<>();
        try {
            for (FileInfo f : io.listPrefix(location + "/" + COMMITS + "/")) {
                String loc = f.location();
                if (!loc.endsWith(".json")) {
                    continue;
                }
                String name = loc.substring(loc.lastIndexOf('/') + 1, loc.length() - ".json".length());
                InputFile in = io.newInputFile(loc);
                JsonNode c;
                try (InputStream s = in.newStream()) {
                    c = Json.mapper().readTree(s);
                }
                List<String> files = new ArrayList<>();
                c.get("files").forEach(x -> files.add(x.asText()));
                out.add(new Commit(name, c.get("thread_id").asText(), (ObjectNode) c.get("state"), files));
            }
        } catch (IOException | RuntimeException e) {
            throw new RetriableException("parquet writer: cannot read the commits in " + location + ": "
                    + redact(e.getMessage()), e);
        }
        out.sort(java.util.Comparator.comparing(Commit::name));
        return out;
    }

    /** Deletes data files that no commit lists (orphans), returns the latest state per thread ID. */
    private Map<String, MetadataState> recover(StreamId stream) {
        String location = streamLocation(stream);
        Map<String, MetadataState> latest = new ConcurrentHashMap<>();
        List<Commit> commits = readCommits(location);
        Set<String> listed = new HashSet<>();
        for (Commit c : commits) {
            latest.put(c.threadId(), new MetadataState(c.threadId(), c.state())); // oldest first: later ones win
            c.files().forEach(f -> listed.add(location + "/" + f));
        }
        List<String> orphans = new ArrayList<>();
        try {
            for (FileInfo f : io.listPrefix(location + "/")) {
                String loc = f.location();
                String rest = loc.substring(location.length() + 1);
                if (!rest.contains("/") && loc.endsWith(SUFFIX) && !listed.contains(loc)) {
                    orphans.add(loc);
                }
            }
            if (!orphans.isEmpty()) {
                LOG.info("stream {}: deleting {} data files no commit lists (an interrupted writer's)", stream,
                        orphans.size());
                deleteAll(orphans);
            }
        } catch (RuntimeException e) {
            throw new RetriableException("parquet writer: cannot clean up " + location + ": " + redact(e.getMessage()),
                    e);
        }
        return latest;
    }

    /**
     * Deletes objects with one bulk request per batch where the server supports it, else one by one (S3-compatible
     * servers that implement no {@code DeleteObjects}, or want checksums the SDK does not send for it).
     */
    private void deleteAll(List<String> locations) {
        if (locations.isEmpty()) {
            return;
        }
        try {
            io.deleteFiles(locations);
        } catch (org.apache.iceberg.io.BulkDeletionFailureException e) {
            LOG.debug("bulk delete failed ({}), deleting one by one", e.getMessage());
            for (String loc : locations) {
                io.deleteFile(loc);
            }
        }
    }

    @Override
    public DestinationWriter open(ConfiguredStream stream, WriterOptions options) {
        commits(stream.id()); // recover before writing
        return new Writer(stream.id(), stream.primaryKey(), options);
    }

    @Override
    public void dropStreams(Collection<StreamId> streams) {
        for (StreamId s : streams) {
            index.remove(s);
            try {
                List<String> all = new ArrayList<>();
                io.listPrefix(streamLocation(s) + "/").forEach(f -> all.add(f.location()));
                deleteAll(all);
            } catch (RuntimeException e) {
                throw new RetriableException("parquet writer: cannot delete " + streamLocation(s) + ": "
                        + redact(e.getMessage()), e);
            }
        }
    }

    @Override
    public void close() {
        io.close();
    }

    private final class Writer implements DestinationWriter {
        private final StreamId stream;
        private final List<String> primaryKey;
        private final WriterOptions options;
        private final String name;
        private final String location;
        /** Complete data files of this commit, in order. */
        private final List<String> done = new ArrayList<>();
        private final BytesInputCompressor compressor;
        private final ValueGuard guard;
        private RecordFileWriter current;
        private String currentFile;
        private Schema currentSchema;
        private long records;
        private long sinceSizeCheck;
        private int fileCount;

        Writer(StreamId stream, List<String> primaryKey, WriterOptions options) {
            this.stream = stream;
            this.primaryKey = primaryKey;
            this.options = options;
            this.location = streamLocation(stream);
            this.compressor = DirectCodecFactory.INSTANCE.getCompressor(DirectCodecFactory.codecName(config.compression()));
            this.guard = new ValueGuard(stream, options.valueErrors());
            this.name = newName();
        }

        private String newName() {
            return String.format(Locale.ROOT, "%013d-%06d-%s-%s", System.currentTimeMillis(),
                    SEQUENCE.incrementAndGet() % 1_000_000, ParquetDestination.safe(options.threadId()),
                    UUID.randomUUID().toString().substring(0, 8));
        }

        private void openFile(Schema schema) throws IOException {
            currentFile = name + "-" + String.format(Locale.ROOT, "%05d", fileCount++) + SUFFIX;
            currentSchema = schema;
            List<String> plain = new ArrayList<>(List.of(DefaultColumns.OLAKE_ID));
            if (primaryKey.size() == 1 && schema.indexOf(primaryKey.get(0)) >= 0) {
                plain.add(primaryKey.get(0));
            }
            current = new RecordFileWriter(schema, new FileIoOutputFile(io, location + "/" + currentFile), compressor,
                    Math.min(WriterMemory.rowGroupBytes(), config.targetFileSizeBytes()), plain);
            guard.bind(RecordFileWriter.checks(schema));
            sinceSizeCheck = 0;
        }

        private void closeFile() throws IOException {
            if (current != null) {
                current.close(); // completes the upload
                current = null;
                done.add(currentFile);
                currentFile = null;
            }
        }

        @Override
        public void write(List<Record> batch) {
            try {
                for (Record r : batch) {
                    Schema s = r.schema();
                    if (current == null) {
                        openFile(s);
                    } else if (s != currentSchema && !s.equals(currentSchema)) {
                        closeFile();
                        openFile(s);
                    }
                    Record checked = guard.check(r);
                    if (checked == null) {
                        continue;
                    }
                    current.write(checked);
                    records++;
                    if (++sinceSizeCheck >= SIZE_CHECK_EVERY) {
                        sinceSizeCheck = 0;
                        if (current.dataSize() >= config.targetFileSizeBytes()) {
                            closeFile();
                            openFile(s);
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (e instanceof io.tributary.types.TributaryException te) {
                    throw te;
                }
                throw new NonRetriableException("parquet writer: cannot write stream " + stream + " to " + location
                        + ": " + redact(e.getMessage()), e);
            }
        }

        @Override
        public void commit(MetadataState state) {
            try {
                closeFile();
                ObjectNode c = Json.object();
                c.put("thread_id", options.threadId());
                c.put("mode", options.mode().name().toLowerCase(Locale.ROOT));
                c.put("records", records);
                ArrayNode files = c.putArray("files");
                done.forEach(files::add);
                c.set("state", state.payload());
                // the commit point: one PUT of the record, after every data file it lists is complete
                try (var out = io.newOutputFile(location + "/" + COMMITS + "/" + name + ".json").createOrOverwrite()) {
                    out.write(Json.writeBytes(c));
                }
                LOG.debug("stream {}: thread {} committed {} records in {} files", stream, options.threadId(),
                        records, done.size());
                done.clear();
                commits(stream).put(state.threadId(), state);
            } catch (IOException | RuntimeException e) {
                abort();
                throw new NonRetriableException("parquet writer: cannot commit stream " + stream + " thread "
                        + options.threadId() + " to " + location + ": " + redact(e.getMessage()), e);
            }
        }

        @Override
        public long valueErrors() {
            return guard.count();
        }

        @Override
        public void abort() {
            if (current != null) {
                current.abort();
            }
            if (currentFile != null) {
                done.add(currentFile);
            }
            current = null;
            currentFile = null;
            for (String f : done) {
                try {
                    io.deleteFile(location + "/" + f);
                } catch (RuntimeException e) {
                    LOG.warn("stream {}: cannot delete {} (deleted at the next start): {}", stream, f,
                            redact(e.getMessage()));
                }
            }
            done.clear();
        }
    }

    /** Parquet's output file on an Iceberg {@code FileIO} output: no java.nio, no Hadoop. */
    private static final class FileIoOutputFile implements OutputFile {
        private final S3FileIO io;
        private final String location;

        FileIoOutputFile(S3FileIO io, String location) {
            this.io = io;
            this.location = location;
        }

        @Override
        public PositionOutputStream create(long blockSizeHint) {
            return wrap(io.newOutputFile(location).create());
        }

        @Override
        public PositionOutputStream createOrOverwrite(long blockSizeHint) {
            return wrap(io.newOutputFile(location).createOrOverwrite());
        }

        private static PositionOutputStream wrap(org.apache.iceberg.io.PositionOutputStream out) {
            return new PositionOutputStream() {
                @Override
                public long getPos() throws IOException {
                    return out.getPos();
                }

                @Override
                public void write(int b) throws IOException {
                    out.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }

                @Override
                public void flush() throws IOException {
                    out.flush();
                }

                @Override
                public void close() throws IOException {
                    out.close();
                }
            };
        }

        @Override
        public boolean supportsBlockSize() {
            return false;
        }

        @Override
        public long defaultBlockSize() {
            return 0;
        }

        @Override
        public String getPath() {
            return location;
        }
    }
}
