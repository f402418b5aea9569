package io.tributary.writer.parquet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import io.tributary.writer.WriterOptions;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;
import org.apache.parquet.io.LocalOutputFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parquet files in a local folder: {@code <path>/<namespace>/<name>/<commit>-<n>.parquet}. A writer thread
 * streams its batches into hidden temp files ({@code .<commit>-<n>.parquet.tmp}), starting a new file when the
 * current one reaches {@code target_file_size_mb} or when a batch brings a wider schema. At commit it closes and
 * fsyncs them, writes the commit record {@code _commits/<commit>.json} (thread ID, metadata state, record count,
 * file names) and then renames the files into place. A commit is complete when every file it lists is in place;
 * when the destination opens a stream it deletes temp files and rolls back incomplete commits (their record and
 * any file already renamed), so a crashed or aborted writer thread leaves no visible file and no state.
 *
 * <p>With upsert mode the files are an append log, as with the jsonl writer: each row carries {@code _op_type};
 * a reader takes the latest row per {@code _olake_id}. See {@link RecordFileWriter} for the type mapping.
 */
public final class ParquetDestination implements Destination {
    private static final Logger LOG = LoggerFactory.getLogger(ParquetDestination.class);
    private static final String COMMITS = "_commits";
    private static final String SUFFIX = ".parquet";
    private static final String TMP = ".tmp";
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final int SIZE_CHECK_EVERY = 1024;

    private final ParquetConfig config;
    private final Path root;
    private final Map<StreamId, Map<String, MetadataState>> index = new ConcurrentHashMap<>();

    public ParquetDestination(ParquetConfig config) {
        this.config = config;
        this.root = Path.of(config.path()).toAbsolutePath();
    }

    public Path root() {
        return root;
    }

    /** The folder of a stream's files. */
    public Path streamDir(StreamId stream) {
        return root.resolve(safe(stream.namespace().isEmpty() ? "default" : stream.namespace()))
                .resolve(safe(stream.name()));
    }

    @Override
    public void check() {
        try {
            Files.createDirectories(root);
            Path probe = Files.createTempFile(root, ".check", TMP);
            Files.delete(probe);
        } catch (IOException e) {
            throw new ConfigException("parquet writer: folder " + root + " is not writable: " + e.getMessage(), e);
        }
    }

    @Override
    public void preflight(Collection<ConfiguredStream> streams) {
        DistinctTargets.require(streams, this::streamDir, "folder",
                "Rename one of them in the source, or write them to separate destinations.");
    }

    @Override
    public Optional<MetadataState> committedState(StreamId stream, String threadId) {
        return Optional.ofNullable(commits(stream).get(threadId));
    }

    private Map<String, MetadataState> commits(StreamId stream) {
        return index.computeIfAbsent(stream, this::recover);
    }

    /** Deletes temp files, rolls back incomplete commits, returns the latest state per thread ID. */
    private Map<String, MetadataState> recover(StreamId stream) {
        Map<String, MetadataState> latest = new ConcurrentHashMap<>();
        Path dir = streamDir(stream);
        if (!Files.isDirectory(dir)) {
            return latest;
        }
        try {
            try (DirectoryStream<Path> tmp = Files.newDirectoryStream(dir, ".*" + TMP)) {
                for (Path p : tmp) {
                    Files.deleteIfExists(p);
                }
            }
            Path commits = dir.resolve(COMMITS);
            if (!Files.isDirectory(commits)) {
                return latest;
            }
            Map<String, String> newest = new HashMap<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(commits, "*.json")) {
                for (Path p : ds) {
                    String name = p.getFileName().toString();
                    name = name.substring(0, name.length() - ".json".length());
                    JsonNode c = Json.mapper().readTree(p.toFile());
                    List<Path> files = new ArrayList<>();
                    c.get("files").forEach(f -> files.add(dir.resolve(f.asText())));
                    if (!files.stream().allMatch(Files::exists)) {
                        LOG.info("stream {}: rolling back interrupted commit {}", stream, name);
                        for (Path f : files) {
                            Files.deleteIfExists(f);
                        }
                        Files.deleteIfExists(p);
                        continue;
                    }
                    String thread = c.get("thread_id").asText();
                    String prev = newest.get(thread);
                    if (prev == null || prev.compareTo(name) < 0) {
                        newest.put(thread, name);
                        latest.put(thread, new MetadataState(thread, (ObjectNode) c.get("state")));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new RetriableException("parquet writer: cannot read commits of stream " + stream + " in " + dir
                    + ": " + e.getMessage(), e);
        }
        return latest;
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
            deleteTree(streamDir(s));
        }
    }

    @Override
    public void close() {
    }

    private final class Writer implements DestinationWriter {
        private final StreamId stream;
        private final List<String> primaryKey;
        private final WriterOptions options;
        private final String name;
        private final Path dir;
        /** Finished temp files, in order, with their final names. */
        private final List<Path> done = new ArrayList<>();
        private final BytesInputCompressor compressor;
        private final ValueGuard guard;
        private RecordFileWriter current;
        private Path currentTmp;
        private Schema currentSchema;
        private long records;
        private long sinceSizeCheck;

        Writer(StreamId stream, List<String> primaryKey, WriterOptions options) {
            this.stream = stream;
            this.primaryKey = primaryKey;
            this.options = options;
            this.name = String.format("%013d-%06d-%s", System.currentTimeMillis(),
                    SEQUENCE.incrementAndGet() % 1_000_000, safe(options.threadId()));
            this.dir = streamDir(stream);
            this.compressor = DirectCodecFactory.INSTANCE.getCompressor(DirectCodecFactory.codecName(config.compression()));
            this.guard = new ValueGuard(stream, options.valueErrors());
        }

        private String fileName(int n) {
            return name + "-" + String.format(Locale.ROOT, "%05d", n) + SUFFIX;
        }

        private void openFile(Schema schema) throws IOException {
            Files.createDirectories(dir);
            currentTmp = dir.resolve("." + fileName(done.size()) + TMP);
            currentSchema = schema;
            // unique per row: a dictionary never pays off, and building one to throw it away costs the writer time
            List<String> plain = new ArrayList<>(List.of(DefaultColumns.OLAKE_ID));
            if (primaryKey.size() == 1 && schema.indexOf(primaryKey.get(0)) >= 0) {
                plain.add(primaryKey.get(0));
            }
            current = new RecordFileWriter(schema, new LocalOutputFile(currentTmp), compressor,
                    Math.min(io.tributary.writer.WriterMemory.rowGroupBytes(), config.targetFileSizeBytes()), plain);
            guard.bind(RecordFileWriter.checks(schema));
            sinceSizeCheck = 0;
        }

        private void closeFile() throws IOException {
            if (current != null) {
                current.close();
                current = null;
                done.add(currentTmp);
                currentTmp = null;
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
                        LOG.debug("stream {}: new schema {}, starting a new file", stream, s);
                        closeFile();
                        openFile(s);
                    }
                    Record checked = guard.check(r); // before any of the row is written
                    if (checked == null) {
                        continue; // value_errors: skip
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
            } catch (IOException e) {
                throw new NonRetriableException("parquet writer: cannot write stream " + stream + " in " + dir + ": "
                        + e.getMessage(), e);
            }
        }

        @Override
        public void commit(MetadataState state) {
            try {
                closeFile();
                List<String> finals = new ArrayList<>();
                for (int i = 0; i < done.size(); i++) {
                    fsync(done.get(i));
                    finals.add(fileName(i));
                }
                Path commits = dir.resolve(COMMITS);
                Files.createDirectories(commits);
                ObjectNode c = Json.object();
                c.put("thread_id", options.threadId());
                c.put("mode", options.mode().name().toLowerCase(Locale.ROOT));
                c.put("records", records);
                ArrayNode files = c.putArray("files");
                finals.forEach(files::add);
                c.set("state", state.payload());
                Path commitTmp = commits.resolve("." + name + TMP);
                Files.write(commitTmp, Json.writeBytes(c));
                fsync(commitTmp);
                move(commitTmp, commits.resolve(name + ".json"));
                fsync(commits);
                for (int i = 0; i < done.size(); i++) {
                    move(done.get(i), dir.resolve(finals.get(i))); // the last rename is the commit point
                }
                fsync(dir);
                done.clear();
                commits(stream).put(state.threadId(), state);
                LOG.debug("stream {}: thread {} committed {} records in {} files", stream, options.threadId(),
                        records, finals.size());
            } catch (IOException e) {
                abort();
                throw new NonRetriableException("parquet writer: cannot commit stream " + stream + " thread "
                        + options.threadId() + ": " + e.getMessage(), e);
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
            if (currentTmp != null) {
                done.add(currentTmp);
            }
            current = null;
            currentTmp = null;
            for (Path p : done) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.warn("stream {}: cannot delete temp file {}: {}", stream, p, e.getMessage());
                }
            }
            done.clear();
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void fsync(Path p) throws IOException {
        boolean isDir = Files.isDirectory(p);
        try (FileChannel ch = FileChannel.open(p, isDir ? StandardOpenOption.READ : StandardOpenOption.WRITE)) {
            ch.force(true);
        } catch (IOException e) {
            if (!isDir) {
                throw e;
            }
        }
    }

    private static void deleteTree(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path f : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw new RetriableException("parquet writer: cannot delete " + p + ": " + e.getMessage(), e);
        }
    }

    static String safe(String s) {
        return s.replaceAll("[^A-Za-z0-9._=-]", "_");
    }
}
