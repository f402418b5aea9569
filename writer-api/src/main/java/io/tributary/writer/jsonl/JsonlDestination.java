package io.tributary.writer.jsonl;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.DataType;
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
import io.tributary.writer.WriterOptions;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON-lines files in a local folder: {@code <path>/<namespace>/<name>/<commit>.jsonl}, one file per committed
 * writer thread. A writer streams its batches into a hidden temp file; at commit it fsyncs it, writes the
 * commit record {@code _commits/<commit>.json} (thread ID, metadata state, record count) and then renames the
 * data file into place. The rename is the commit point: a commit record without its data file is an
 * interrupted commit and is removed when the destination is opened, as are temp files. A crashed writer thread
 * therefore leaves no visible partial file.
 *
 * <p>Each line holds the source columns and the four default columns. Values (every one is kept exactly; none is
 * out of range here, so {@link io.tributary.types.ValueErrors} never applies):
 * <ul>
 *   <li>booleans and integers as JSON booleans and numbers;</li>
 *   <li>float and double as JSON numbers in Java's shortest round-trip form ({@code 1.4E-45}, {@code -0.0}), and NaN,
 *       Infinity, -Infinity as the JSON strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"};</li>
 *   <li>every decimal as a JSON string of {@link BigDecimal#toPlainString()} (scale kept: {@code "0.10"},
 *       {@code "0.000000000000000000000000000001"}), so that no reader turns it into a double; the special values
 *       as their text {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"};</li>
 *   <li>dates as {@link java.time.LocalDate#toString()} ({@code 2026-01-02}, {@code -4712-01-01},
 *       {@code +10000-01-01}), times as {@link java.time.LocalTime#toString()} ({@code 00:00},
 *       {@code 23:59:59.999999}), timestamps as {@link Instant#toString()} in UTC ({@code 2026-01-02T03:04:05.123456Z},
 *       {@code +294247-01-10T04:00:54.775807Z});</li>
 *   <li>binary as standard base64 with padding, strings and JSON columns as JSON strings (the JSON text).</li>
 * </ul>
 * The files are an append log: upserts and deletes are lines with {@code _op_type} {@code u}/{@code d}; a reader
 * takes the last line per {@code _olake_id}.
 */
public final class JsonlDestination implements Destination {
    private static final Logger LOG = LoggerFactory.getLogger(JsonlDestination.class);
    private static final String COMMITS = "_commits";
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private final Path root;
    private final boolean fsync;
    /** Per stream: thread ID to its latest commit, loaded lazily from the commit records. */
    private final Map<StreamId, Map<String, Commit>> index = new ConcurrentHashMap<>();

    private record Commit(String name, MetadataState state) {
    }

    public JsonlDestination(JsonlConfig config) {
        this.root = Path.of(config.path()).toAbsolutePath();
        this.fsync = config.fsync();
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
            Path probe = Files.createTempFile(root, ".check", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            throw new ConfigException("jsonl writer: folder " + root + " is not writable: " + e.getMessage(), e);
        }
    }

    @Override
    public void preflight(Collection<ConfiguredStream> streams) {
        DistinctTargets.require(streams, this::streamDir, "folder",
                "Rename one of them in the source, or write them to separate destinations.");
    }

    @Override
    public Optional<MetadataState> committedState(StreamId stream, String threadId) {
        return Optional.ofNullable(commits(stream).get(threadId)).map(Commit::state);
    }

    private Map<String, Commit> commits(StreamId stream) {
        return index.computeIfAbsent(stream, this::recover);
    }

    /** Removes temp files and interrupted commits; returns the latest commit per thread ID. */
    private Map<String, Commit> recover(StreamId stream) {
        Map<String, Commit> latest = new ConcurrentHashMap<>();
        Path dir = streamDir(stream);
        Path commits = dir.resolve(COMMITS);
        if (!Files.isDirectory(commits)) {
            return latest;
        }
        try {
            try (DirectoryStream<Path> tmp = Files.newDirectoryStream(dir, ".*.tmp")) {
                for (Path p : tmp) {
                    Files.deleteIfExists(p);
                }
            }
            Map<String, String> newest = new HashMap<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(commits, "*.json")) {
                for (Path p : ds) {
                    String name = p.getFileName().toString();
                    name = name.substring(0, name.length() - ".json".length());
                    if (!Files.exists(dir.resolve(name + ".jsonl"))) {
                        LOG.info("stream {}: removing interrupted commit {}", stream, name);
                        Files.deleteIfExists(p);
                        continue;
                    }
                    JsonNode c = Json.mapper().readTree(p.toFile());
                    String thread = c.get("thread_id").asText();
                    String prev = newest.get(thread);
                    if (prev == null || prev.compareTo(name) < 0) {
                        newest.put(thread, name);
                        latest.put(thread, new Commit(name,
                                new MetadataState(thread, (ObjectNode) c.get("state"))));
                    }
                }
            }
        } catch (IOException e) {
            throw new RetriableException("jsonl writer: cannot read commits of stream " + stream + " in " + dir
                    + ": " + e.getMessage(), e);
        }
        return latest;
    }

    @Override
    public DestinationWriter open(ConfiguredStream stream, WriterOptions options) {
        commits(stream.id()); // recover before writing
        return new Writer(stream.id(), options);
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

    /** The records of a stream's committed files, in commit order, as JSON objects (for tests and readers). */
    public List<ObjectNode> read(StreamId stream) {
        Path dir = streamDir(stream);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var files = Files.list(dir)) {
            List<Path> sorted = files.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().toList();
            List<ObjectNode> out = new java.util.ArrayList<>();
            for (Path f : sorted) {
                for (String line : Files.readAllLines(f)) {
                    if (!line.isEmpty()) {
                        out.add((ObjectNode) Json.mapper().readTree(line));
                    }
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private final class Writer implements DestinationWriter {
        private final StreamId stream;
        private final WriterOptions options;
        private final String name;
        private final Path dir;
        private final Path tmp;
        private OutputStream out;
        private JsonGenerator gen;
        private long records;

        Writer(StreamId stream, WriterOptions options) {
            this.stream = stream;
            this.options = options;
            this.name = String.format("%013d-%06d-%s", System.currentTimeMillis(),
                    SEQUENCE.incrementAndGet() % 1_000_000, fileSafe(options.threadId()));
            this.dir = streamDir(stream);
            this.tmp = dir.resolve("." + name + ".tmp");
        }

        private void openFile() throws IOException {
            Files.createDirectories(dir);
            out = new BufferedOutputStream(Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), 1 << 16);
            gen = Json.mapper().getFactory().createGenerator(out, JsonEncoding.UTF8);
            gen.setRootValueSeparator(null);
        }

        @Override
        public void write(List<Record> batch) {
            try {
                if (gen == null) {
                    openFile();
                }
                for (Record r : batch) {
                    writeRecord(r);
                }
                records += batch.size();
            } catch (IOException e) {
                throw new NonRetriableException("jsonl writer: cannot write stream " + stream + " to " + tmp + ": "
                        + e.getMessage(), e);
            }
        }

        private void writeRecord(Record r) throws IOException {
            Schema schema = r.schema();
            gen.writeStartObject();
            for (int i = 0; i < schema.size(); i++) {
                gen.writeFieldName(schema.field(i).name());
                writeValue(schema.field(i).type(), r.value(i));
            }
            gen.writeStringField(DefaultColumns.OLAKE_ID, r.olakeId());
            gen.writeStringField(DefaultColumns.OLAKE_TIMESTAMP, r.olakeTimestamp().toString());
            gen.writeStringField(DefaultColumns.OP_TYPE, r.op().code());
            Instant cdc = r.cdcTimestamp();
            if (cdc == null) {
                gen.writeNullField(DefaultColumns.CDC_TIMESTAMP);
            } else {
                gen.writeStringField(DefaultColumns.CDC_TIMESTAMP, cdc.toString());
            }
            gen.writeEndObject();
            gen.writeRaw('\n');
        }

        private void writeValue(DataType type, Object v) throws IOException {
            if (v == null) {
                gen.writeNull();
            } else if (v instanceof Boolean b) {
                gen.writeBoolean(b);
            } else if (v instanceof Integer i) {
                gen.writeNumber(i);
            } else if (v instanceof Long l) {
                gen.writeNumber(l);
            } else if (v instanceof Float f) {
                if (Float.isFinite(f)) {
                    gen.writeNumber(f);
                } else {
                    gen.writeString(f.toString()); // NaN, Infinity, -Infinity
                }
            } else if (v instanceof Double d) {
                if (Double.isFinite(d)) {
                    gen.writeNumber(d);
                } else {
                    gen.writeString(d.toString());
                }
            } else if (v instanceof BigDecimal d) {
                gen.writeString(d.toPlainString()); // exact, for every reader; a JSON number would become a double
            } else if (v instanceof byte[] b) {
                gen.writeString(Base64.getEncoder().encodeToString(b));
            } else {
                gen.writeString(v.toString());
            }
        }

        @Override
        public void commit(MetadataState state) {
            try {
                if (gen == null) {
                    openFile();
                }
                gen.flush();
                gen.close();
                if (fsync) {
                    fsyncFile(tmp);
                }
                Path commits = dir.resolve(COMMITS);
                Files.createDirectories(commits);
                ObjectNode c = Json.object();
                c.put("thread_id", options.threadId());
                c.put("mode", options.mode().name().toLowerCase(java.util.Locale.ROOT));
                c.put("records", records);
                c.set("state", state.payload());
                Path commitTmp = commits.resolve("." + name + ".tmp");
                Files.write(commitTmp, Json.writeBytes(c));
                if (fsync) {
                    fsyncFile(commitTmp);
                }
                move(commitTmp, commits.resolve(name + ".json"));
                if (fsync) {
                    fsyncFile(commits);
                }
                move(tmp, dir.resolve(name + ".jsonl")); // the commit point
                if (fsync) {
                    fsyncFile(dir);
                }
                commits(stream).put(state.threadId(), new Commit(name, state));
            } catch (IOException e) {
                abort();
                throw new NonRetriableException("jsonl writer: cannot commit stream " + stream + " thread "
                        + options.threadId() + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void abort() {
            try {
                if (gen != null) {
                    gen.close();
                }
            } catch (IOException ignored) {
                // discarding
            }
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException e) {
                LOG.warn("stream {}: cannot delete temp file {}: {}", stream, tmp, e.getMessage());
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static void fsyncFile(Path p) throws IOException {
        boolean dir = Files.isDirectory(p);
        try (FileChannel ch = FileChannel.open(p, dir ? StandardOpenOption.READ : StandardOpenOption.WRITE)) {
            ch.force(true);
        } catch (IOException e) {
            if (!dir) {
                throw e;
            }
            // some platforms cannot fsync a directory
        }
    }

    private static void deleteTree(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path f : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (NoSuchFileException ignored) {
            // already gone
        } catch (IOException e) {
            throw new NonRetriableException("jsonl writer: cannot delete " + p + ": " + e.getMessage(), e);
        }
    }

    /** A thread ID as a file-name part: long IDs (composite-key chunks) are cut and suffixed with a hash. */
    private static String fileSafe(String threadId) {
        String s = safe(threadId);
        if (s.length() <= 120) {
            return s;
        }
        return s.substring(0, 100) + "-" + Integer.toHexString(threadId.hashCode());
    }

    private static String safe(String s) {
        return s.replaceAll("[^A-Za-z0-9._\\-\\[\\]]", "_");
    }
}
