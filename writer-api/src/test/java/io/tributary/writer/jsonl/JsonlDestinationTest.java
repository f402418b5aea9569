package io.tributary.writer.jsonl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.Json;
import io.tributary.types.OpType;
import io.tributary.types.Schema;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.MetadataState;
import io.tributary.writer.Record;
import io.tributary.writer.WriteMode;
import io.tributary.writer.WriterOptions;
import io.tributary.writer.WriterPool;
import io.tributary.writer.WriterThread;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlDestinationTest {
    private static final StreamId ID = StreamId.of("public", "t");
    private static final Schema SCHEMA = Schema.of(Field.of("id", DataType.INT64, false),
            Field.decimal("amount", 10, 2, true), Field.nullable("at", DataType.TIMESTAMP_MICRO),
            Field.nullable("bytes", DataType.BINARY));
    private static final ConfiguredStream STREAM = ConfiguredStream.of(
            Stream.of(ID, SCHEMA, List.of("id"), Set.of("id"), Set.of(SyncMode.FULL_REFRESH)));

    @TempDir
    Path dir;

    private WriterPool pool() {
        return WriterPool.open("jsonl", Json.parse("{\"path\": \"" + dir + "\"}"),
                WriterPool.Options.defaults().withBatchSize(3));
    }

    private static Record row(long id) {
        return new Record(SCHEMA, new Object[] {id, new BigDecimal("12.50"), Instant.parse("2026-01-02T03:04:05.123456Z"),
                new byte[] {1, 2}}, Long.toString(id), OpType.READ, Instant.EPOCH, null);
    }

    private static MetadataState state(String thread, int n) {
        ObjectNode p = Json.object();
        p.put("n", n);
        return new MetadataState(thread, p);
    }

    @Test
    void committedRowsAndStateAreVisibleAndSurviveReopening() {
        try (WriterPool pool = pool()) {
            WriterThread w = pool.newWriter(STREAM, new WriterOptions("chunk-1", WriteMode.APPEND));
            assertThat(w.previousState()).isEmpty();
            for (int i = 0; i < 10; i++) {
                w.push(row(i));
            }
            w.close(state("chunk-1", 10));
        }
        try (WriterPool pool = pool()) {
            JsonlDestination d = (JsonlDestination) pool.destination();
            List<ObjectNode> rows = d.read(ID);
            assertThat(rows).hasSize(10);
            assertThat(rows.get(3).get("id").asLong()).isEqualTo(3);
            assertThat(rows.get(3).get("amount").textValue()).isEqualTo("12.50");
            assertThat(rows.get(3).get("at").asText()).isEqualTo("2026-01-02T03:04:05.123456Z");
            assertThat(rows.get(3).get("_op_type").asText()).isEqualTo("r");
            assertThat(pool.newWriter(STREAM, new WriterOptions("chunk-1", WriteMode.APPEND)).previousState())
                    .contains(state("chunk-1", 10));
        }
    }

    @Test
    void anAbortedOrCrashedWriterLeavesNoVisibleFile() throws Exception {
        try (WriterPool pool = pool()) {
            WriterThread w = pool.newWriter(STREAM, new WriterOptions("chunk-2", WriteMode.APPEND));
            for (int i = 0; i < 10; i++) {
                w.push(row(i));
            }
            w.flush();
            w.abort();
            assertThat(((JsonlDestination) pool.destination()).read(ID)).isEmpty();
        }
        // a crash mid-commit: the commit record exists but the data file was never renamed into place
        Path streamDir = dir.resolve("public").resolve("t");
        Files.createDirectories(streamDir.resolve("_commits"));
        Files.writeString(streamDir.resolve("_commits").resolve("0000000000001-000001-x.json"),
                "{\"thread_id\":\"x\",\"state\":{}}");
        Files.writeString(streamDir.resolve(".0000000000001-000001-x.tmp"), "{\"id\":1}\n");
        try (WriterPool pool = pool()) {
            assertThat(pool.committedState(ID, "x")).isEmpty();
            pool.newWriter(STREAM, new WriterOptions("y", WriteMode.APPEND)).abort();
            assertThat(((JsonlDestination) pool.destination()).read(ID)).isEmpty();
        }
        try (var files = Files.walk(streamDir)) {
            assertThat(files.filter(Files::isRegularFile).toList()).isEmpty();
        }
    }

    @Test
    void unknownKeysAndMissingPathAreConfigErrors() {
        assertThatThrownBy(() -> WriterPool.open("jsonl", Json.parse("{\"path\": \"/tmp/x\", \"colour\": 1}"),
                WriterPool.Options.defaults())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown key 'colour'");
        assertThatThrownBy(() -> WriterPool.open("jsonl", Json.parse("{}"), WriterPool.Options.defaults()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'path' is required");
        assertThatThrownBy(() -> WriterPool.open("s3", Json.parse("{}"), WriterPool.Options.defaults()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("available: [jsonl, memory]");
    }
}
