package io.tributary.writer.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.types.ConfiguredStream;
import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.Json;
import io.tributary.types.OpType;
import io.tributary.types.Schema;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.Record;
import io.tributary.writer.WriteMode;
import io.tributary.writer.WriterOptions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileContent;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IcebergStagedWritesTest {
    private static final StreamId ID = StreamId.of("shop", "orders");
    private static final Schema SCHEMA = Schema.of(Field.of("id", DataType.INT64, false),
            Field.nullable("v", DataType.STRING));
    private static final ConfiguredStream STREAM = ConfiguredStream.of(
            Stream.of(ID, SCHEMA, List.of("id"), Set.of("id"), Set.of(SyncMode.FULL_REFRESH, SyncMode.CDC)));
    private static final String JOB = "tributary.flink.job-id";
    private static final String CHECKPOINT = "tributary.flink.checkpoint-id";

    @TempDir
    Path dir;

    private IcebergDestination destination;

    @BeforeEach
    void open() {
        destination = (IcebergDestination) new IcebergWriterFactory()
                .create(Json.parse("{\"warehouse\": \"" + dir.resolve("wh") + "\", \"target_file_size_mb\": 1}"));
    }

    @AfterEach
    void close() {
        destination.close();
    }

    private static Record rec(long id, String v, OpType op) {
        Object[] values = op == OpType.DELETE ? new Object[] {id, null} : new Object[] {id, v};
        return new Record(SCHEMA, values, Long.toString(id), op, Instant.parse("2026-01-01T00:00:00Z"),
                op == OpType.READ ? null : Instant.parse("2026-01-02T00:00:00Z"));
    }

    private static Map<String, String> checkpoint(String job, long id) {
        return Map.of(JOB, job, CHECKPOINT, Long.toString(id));
    }

    private Table table() {
        return destination.catalog().loadTable(destination.identifier(ID));
    }

    private int snapshots() {
        List<Snapshot> all = new ArrayList<>();
        table().snapshots().forEach(all::add);
        return all.size();
    }

    /** {@code id → v}, failing on a second row of one {@code _olake_id}. */
    private Map<Long, String> read() throws IOException {
        Map<Long, String> out = new TreeMap<>();
        Set<String> keys = new java.util.HashSet<>();
        try (CloseableIterable<org.apache.iceberg.data.Record> it = IcebergGenerics.read(table()).build()) {
            for (org.apache.iceberg.data.Record r : it) {
                assertThat(keys.add((String) r.getField("_olake_id"))).as("duplicate _olake_id %s",
                        r.getField("_olake_id")).isTrue();
                out.put((Long) r.getField("id"), (String) r.getField("v"));
            }
        }
        return out;
    }

    private static StagedFiles roundTrip(StagedFiles files) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(files);
        }
        Set<String> classes = new java.util.TreeSet<>();
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray())) {
            @Override
            protected Class<?> resolveClass(java.io.ObjectStreamClass desc) throws IOException, ClassNotFoundException {
                classes.add(desc.getName());
                return super.resolveClass(desc);
            }
        }) {
            StagedFiles back = (StagedFiles) in.readObject();
            // what a committer needs on its class path to read them: the JDK, iceberg-api and iceberg-core
            assertThat(classes).allMatch(c -> c.startsWith("java.") || c.startsWith("[")
                    || c.startsWith("org.apache.iceberg.") || c.equals(StagedFiles.class.getName()), "a JDK, Iceberg "
                    + "or StagedFiles class");
            return back;
        }
    }

    /** The regular files under the table's data folder. */
    private Set<String> dataDirFiles() throws IOException {
        String location = table().location();
        Path data = (location.contains(":") ? Path.of(URI.create(location)) : Path.of(location)).resolve("data");
        if (!Files.exists(data)) {
            return Set.of();
        }
        try (java.util.stream.Stream<Path> s = Files.walk(data)) {
            return s.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith(".")).collect(Collectors.toSet());
        }
    }

    private static Set<String> names(StagedFiles files) {
        Set<String> out = new java.util.HashSet<>();
        files.dataFiles().forEach(f -> out.add(Path.of(URI.create(f.location()).getPath()).getFileName().toString()));
        files.deleteFiles().forEach(f -> out.add(Path.of(URI.create(f.location()).getPath()).getFileName().toString()));
        return out;
    }

    @Test
    void upsertFilesOfTwoFlushesSurviveJavaSerializationAndCommitAsTwoSnapshots() throws Exception {
        StagedFiles a;
        StagedFiles b;
        try (StagedWriter w = destination.openStaged(STREAM, new WriterOptions("subtask-0", WriteMode.UPSERT))) {
            List<Record> first = new ArrayList<>();
            for (long i = 1; i <= 100; i++) {
                first.add(rec(i, "v1-" + i, OpType.CREATE));
            }
            w.write(first);
            a = w.flush();
            List<Record> second = new ArrayList<>();
            for (long i = 1; i <= 10; i++) {
                second.add(rec(i, "v2-" + i, OpType.UPDATE));
            }
            second.add(rec(11, null, OpType.DELETE));
            second.add(rec(12, "12a", OpType.UPDATE));
            second.add(rec(12, "12b", OpType.UPDATE));
            w.write(second);
            b = w.flush();
        }
        assertThat(a.stream()).isEqualTo(ID);
        assertThat(a.rows()).isEqualTo(100);
        assertThat(b.rows()).isEqualTo(12);
        // the flush reset the key tracking: keys of the first flush get an equality delete again, and only key 12's
        // first row of this flush a position delete
        Map<FileContent, Long> deletes = new HashMap<>();
        b.deleteFiles().forEach(f -> deletes.merge(f.content(), f.recordCount(), Long::sum));
        assertThat(deletes).containsExactlyInAnyOrderEntriesOf(
                Map.of(FileContent.EQUALITY_DELETES, 12L, FileContent.POSITION_DELETES, 1L));

        StagedFiles a2 = roundTrip(a);
        StagedFiles b2 = roundTrip(b);
        assertThat(a2.dataFiles()).extracting(DataFile::location)
                .containsExactlyElementsOf(a.dataFiles().stream().map(DataFile::location).toList());
        assertThat(b2.deleteFiles()).hasSameSizeAs(b.deleteFiles());
        assertThat(b2.rows()).isEqualTo(12);

        assertThat(destination.commitStaged(ID, List.of(a2), checkpoint("job-1", 1))).isTrue();
        assertThat(destination.commitStaged(ID, List.of(b2), checkpoint("job-1", 2))).isTrue();
        assertThat(snapshots()).isEqualTo(2);
        assertThat(table().currentSnapshot().summary()).containsEntry(CHECKPOINT, "2").containsEntry(JOB, "job-1");

        Map<Long, String> rows = read();
        assertThat(rows).hasSize(99).doesNotContainKey(11L);
        for (long i = 1; i <= 100; i++) {
            String want = i <= 10 ? "v2-" + i : i == 12 ? "12b" : "v1-" + i;
            if (i != 11) {
                assertThat(rows.get(i)).as("row %s", i).isEqualTo(want);
            }
        }
    }

    @Test
    void filesOfTwoWritersCommitTogetherInOneSnapshot() throws Exception {
        StagedFiles one;
        StagedFiles two;
        try (StagedWriter w1 = destination.openStaged(STREAM, new WriterOptions("subtask-0", WriteMode.APPEND));
                StagedWriter w2 = destination.openStaged(STREAM, new WriterOptions("subtask-1", WriteMode.APPEND))) {
            List<Record> odd = new ArrayList<>();
            List<Record> even = new ArrayList<>();
            for (long i = 1; i <= 200; i++) {
                (i % 2 == 1 ? odd : even).add(rec(i, "r" + i, OpType.READ));
            }
            w1.write(odd);
            w2.write(even);
            one = w1.flush();
            two = w2.flush();
        }
        assertThat(one.deleteFiles()).isEmpty();
        assertThat(destination.commitStaged(ID, List.of(one, two), checkpoint("job-1", 1))).isTrue();
        assertThat(snapshots()).isEqualTo(1);
        Snapshot s = table().currentSnapshot();
        assertThat(s.operation()).isEqualTo("append");
        assertThat(s.summary()).containsEntry("added-records", "200").containsEntry(CHECKPOINT, "1");
        Map<Long, String> rows = read();
        assertThat(rows).hasSize(200);
        assertThat(rows.get(7L)).isEqualTo("r7");
        assertThat(rows.get(200L)).isEqualTo("r200");
    }

    @Test
    void findSummaryReturnsTheNewestSnapshotOfTheJob() throws Exception {
        assertThat(destination.findSummary(ID, JOB, "job-1")).isEmpty(); // no table
        try (StagedWriter w = destination.openStaged(STREAM, new WriterOptions("subtask-0", WriteMode.APPEND))) {
            assertThat(destination.findSummary(ID, JOB, "job-1")).isEmpty(); // a table without snapshots
            long id = 1;
            for (Map<String, String> summary : List.of(checkpoint("job-1", 1), checkpoint("job-1", 2),
                    checkpoint("job-2", 9))) {
                w.write(List.of(rec(id, "r" + id, OpType.READ)));
                id++;
                assertThat(destination.commitStaged(ID, List.of(w.flush()), summary)).isTrue();
            }
        }
        assertThat(destination.findSummary(ID, JOB, "job-1").orElseThrow())
                .containsEntry(CHECKPOINT, "2").containsEntry(JOB, "job-1").containsEntry("added-records", "1");
        assertThat(destination.findSummary(ID, JOB, "job-2").orElseThrow()).containsEntry(CHECKPOINT, "9");
        assertThat(destination.findSummary(ID, JOB, "job-3")).isEmpty();
        assertThat(destination.findSummary(StreamId.of("shop", "missing"), JOB, "job-1")).isEmpty();
    }

    @Test
    void abortDeletesTheFilesNotYetFlushedAndCommitsNothing() throws Exception {
        StagedFiles kept;
        try (StagedWriter w = destination.openStaged(STREAM, new WriterOptions("subtask-0", WriteMode.UPSERT))) {
            w.write(List.of(rec(1, "kept", OpType.CREATE), rec(2, "kept", OpType.CREATE)));
            kept = w.flush();
            assertThat(dataDirFiles()).isEqualTo(names(kept)).hasSize(2); // a data and an equality delete file
            // enough rows that data files are rolled (closed, on disk) before the abort
            List<Record> batch = new ArrayList<>();
            for (long i = 10; i < 40_010; i++) {
                batch.add(rec(i, java.util.UUID.randomUUID() + " " + java.util.UUID.randomUUID(), OpType.CREATE));
            }
            batch.add(rec(10, "again", OpType.UPDATE)); // a position delete too
            w.write(batch);
            assertThat(dataDirFiles()).hasSizeGreaterThan(2);
            w.abort();
            assertThat(dataDirFiles()).isEqualTo(names(kept));
            assertThat(table().currentSnapshot()).isNull();

            // still usable: later rows go to new files
            w.write(List.of(rec(3, "later", OpType.CREATE)));
            StagedFiles later = w.flush();
            assertThat(destination.commitStaged(ID, List.of(kept), checkpoint("job-1", 1))).isTrue();
            assertThat(destination.commitStaged(ID, List.of(later), checkpoint("job-1", 2))).isTrue();
            w.write(List.of(rec(4, "closed", OpType.CREATE)));
        } // close discards the row of key 4
        assertThat(read()).isEqualTo(Map.of(1L, "kept", 2L, "kept", 3L, "later"));
        assertThat(dataDirFiles()).hasSize(4);
    }

    @Test
    void committingOnlyEmptyFilesCreatesNoSnapshot() throws Exception {
        try (StagedWriter w = destination.openStaged(STREAM, new WriterOptions("subtask-0", WriteMode.UPSERT))) {
            StagedFiles nothing = w.flush();
            assertThat(nothing.isEmpty()).isTrue();
            assertThat(nothing.rows()).isZero();
            assertThat(destination.commitStaged(ID, List.of(nothing, StagedFiles.empty(ID)), checkpoint("job-1", 1)))
                    .isFalse();
            assertThat(destination.commitStaged(ID, List.of(), checkpoint("job-1", 1))).isFalse();
        }
        assertThat(table().currentSnapshot()).isNull();
        assertThat(destination.findSummary(ID, JOB, "job-1")).isEmpty();
    }

    @Test
    void filesOfAnotherStreamAreRefused() {
        StagedFiles other = StagedFiles.empty(StreamId.of("shop", "other"));
        assertThatThrownBy(() -> destination.commitStaged(ID, List.of(other), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shop.other");
    }
}
