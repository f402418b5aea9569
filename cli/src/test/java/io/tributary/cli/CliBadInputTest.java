package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.testkit.BadInput;
import io.tributary.testkit.PerClassPostgres;
import io.tributary.testkit.TestingPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI on bad files and a bad source: exit code 3 (configuration error), a message naming the file, key and
 * stream, no state or destination change, and never the password on stdout or stderr (which carries the logs).
 */
@ExtendWith(PerClassPostgres.class)
class CliBadInputTest {
    static TestingPostgres pg;

    @TempDir
    Path dir;

    private Path source;
    private Path destination;
    private Path catalog;
    private Path state;
    private String validSource;
    private String validDestination;
    private String validCatalog;

    @BeforeAll
    static void start() {
        pg.execute("CREATE TABLE items (id bigint PRIMARY KEY, name text)",
                "INSERT INTO items SELECT g, 'n' || g FROM generate_series(1, 20) g");
    }

    private static String source(String user, String password) {
        return "{\"host\": \"localhost\", \"port\": " + pg.port() + ", \"database\": \"postgres\", \"username\": \""
                + user + "\", \"password\": \"" + password + "\", \"ssl\": {\"mode\": \"disable\"}, \"retry_count\": 0}";
    }

    @BeforeEach
    void files() throws Exception {
        source = dir.resolve("source.json");
        destination = dir.resolve("destination.json");
        catalog = dir.resolve("streams.json");
        state = dir.resolve("state.json");
        validSource = source(TestingPostgres.APP_USER, TestingPostgres.APP_PASSWORD);
        validDestination = "{\"type\": \"JSONL\", \"writer\": {\"path\": \"" + dir.resolve("out") + "\"}}";
        Files.writeString(source, validSource);
        Files.writeString(destination, validDestination);
        assertThat(TributaryCli.run("discover", "--type", "postgres", "--config", source.toString(), "--output",
                catalog.toString())).isZero();
        validCatalog = Files.readString(catalog);
        assertThat(validCatalog).contains("\"stream_name\" : \"items\"");
    }

    private record Result(int exit, String output) {
    }

    private Result sync() {
        try (BadInput.Output out = BadInput.captureOutput()) {
            int exit = TributaryCli.run("sync", "--type", "postgres", "--config", source.toString(), "--destination",
                    destination.toString(), "--catalog", catalog.toString(), "--state", state.toString());
            return new Result(exit, out.text());
        }
    }

    /** Writes {@code file} with {@code text}, runs sync, expects exit 3 naming {@code expected}, nothing changed. */
    private void configError(Path file, String text, String... expected) throws Exception {
        Files.writeString(file, text);
        BadInput.Snapshot before = BadInput.snapshot(state, dir.resolve("out"));
        Result r = sync();
        assertThat(r.exit()).as(r.output()).isEqualTo(3);
        assertThat(r.output()).contains("error: ").contains(expected);
        assertThat(r.output()).doesNotContain(TestingPostgres.APP_PASSWORD);
        before.assertUnchanged();
        Files.writeString(source, validSource);
        Files.writeString(destination, validDestination);
        Files.writeString(catalog, validCatalog);
    }

    @Test
    void malformedJsonInAnyFileExitsThreeNamingFileAndLine() throws Exception {
        for (Path file : new Path[] {source, destination, catalog}) {
            String valid = Files.readString(file);
            configError(file, valid.substring(0, valid.length() / 2), file.toString(), "malformed JSON at line");
        }
    }

    @Test
    void truncatedStateFileExitsThreeAndIsLeftUntouched() throws Exception {
        assertThat(sync().exit()).isZero();
        String saved = Files.readString(state);
        Files.writeString(state, saved.substring(0, saved.length() / 2));
        configError(source, validSource, state.toString(), "malformed JSON at line", "not modified");
    }

    @Test
    void unknownKeysExitThreeNamingFileAndKey() throws Exception {
        configError(source, validSource.replace("\"host\"", "\"hots\""), source.toString(), "unknown key 'hots'");
        configError(destination, validDestination.replace("\"writer\"", "\"writers\""), destination.toString(),
                "unknown key 'writers'");
        configError(destination, validDestination.replace("}}", ", \"fsynk\": true}}"), destination.toString(),
                "jsonl writer config", "unknown key 'fsynk'", "known keys: fsync, path");
        // a misspelt required key is reported as the required key missing (the record's constructor fails first)
        configError(destination, validDestination.replace("\"path\"", "\"pth\""), destination.toString(),
                "jsonl writer", "key 'path' is required");
        configError(catalog, validCatalog.replace("\"append_mode\"", "\"apend_mode\""), catalog.toString(),
                "selected_streams.public[0]", "unknown key 'apend_mode'");
    }

    @Test
    void wrongTypesExitThreeNamingFileAndKey() throws Exception {
        configError(source, validSource.replace("\"port\": " + pg.port(), "\"port\": \"five\""), source.toString(),
                "key 'port' expects");
        configError(destination, validDestination.replace("}}", ", \"fsync\": \"yes\"}}"), destination.toString(),
                "key 'fsync' expects");
        configError(catalog, validCatalog.replace("\"append_mode\" : false", "\"append_mode\" : \"no\""),
                catalog.toString(), "selected_streams.public.items", "'append_mode' expects true or false");
        configError(destination, "{\"type\": 3, \"writer\": {}}", destination.toString(), "key 'type' is required");
    }

    @Test
    void missingRequiredKeysExitThreeNamingFileAndKey() throws Exception {
        configError(source, validSource.replace("\"host\": \"localhost\", ", ""), source.toString(),
                "key 'host' is required");
        configError(destination, "{\"type\": \"JSONL\"}", destination.toString(), "key 'writer' is required");
        configError(destination, "{\"type\": \"JSONL\", \"writer\": {}}", destination.toString(),
                "key 'path' is required");
        configError(catalog, validCatalog.replace("\"stream_name\" : \"items\",", ""), catalog.toString(),
                "key 'stream_name' is required");
        configError(catalog, validCatalog.replace("\"name\" : \"items\",", ""), catalog.toString(), "streams[0]",
                "key 'name' is required");
    }

    @Test
    void wrongPasswordExitsThreeWithoutPrintingIt() throws Exception {
        String wrong = "wrong-pw-Zz9";
        configError(source, source(TestingPostgres.APP_USER, wrong), "rejected the credentials",
                TestingPostgres.APP_USER + "@localhost");
        Files.writeString(source, source(TestingPostgres.APP_USER, wrong));
        try (BadInput.Output out = BadInput.captureOutput()) {
            assertThat(TributaryCli.run("check", "--type", "postgres", "--config", source.toString())).isEqualTo(3);
            assertThat(out.text()).contains("FAILED").contains("rejected the credentials").doesNotContain(wrong);
        }
        Result r = sync();
        assertThat(r.output()).doesNotContain(wrong);
    }

    /** A stopped server (a refused connection) is transient: exit 5 (re-run later), not 3 (fix the config). */
    @Test
    void refusedConnectionExitsFiveAndWrongPasswordThree() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Files.writeString(source, validSource.replace("\"port\": " + pg.port(), "\"port\": " + closed));
        BadInput.Snapshot before = BadInput.snapshot(state, dir.resolve("out"));
        try (BadInput.Output out = BadInput.captureOutput()) {
            assertThat(TributaryCli.run("check", "--type", "postgres", "--config", source.toString())).isEqualTo(5);
            assertThat(out.text()).contains("FAILED").contains("cannot connect to PostgreSQL at localhost:" + closed);
        }
        Result r = sync();
        assertThat(r.exit()).as(r.output()).isEqualTo(5);
        assertThat(r.output()).contains("down, restarting or unreachable")
                .doesNotContain(TestingPostgres.APP_PASSWORD);
        before.assertUnchanged();
    }

    @Test
    void streamMissingFromTheSourceExitsThreeNamingItBeforeAnythingIsWritten() throws Exception {
        UnaryOperator<String> rename = c -> c.replace("\"items\"", "\"gone\"");
        configError(catalog, rename.apply(validCatalog), "stream public.gone does not exist");
    }

    private Result sync(String... extra) {
        try (BadInput.Output out = BadInput.captureOutput()) {
            List<String> args = new ArrayList<>(List.of("sync", "--type", "postgres", "--config", source.toString(),
                    "--destination", destination.toString(), "--catalog", catalog.toString(), "--state",
                    state.toString()));
            args.addAll(List.of(extra));
            return new Result(TributaryCli.run(args.toArray(String[]::new)), out.text());
        }
    }

    @Test
    void badValueErrorsAndResnapshotOptionsExitThreeChangingNothing() throws Exception {
        BadInput.Snapshot before = BadInput.snapshot(state, dir.resolve("out"));
        Result r = sync("--value-errors", "ignore");
        assertThat(r.exit()).as(r.output()).isEqualTo(3);
        assertThat(r.output()).contains("value_errors must be one of fail, skip, null; got 'ignore'");
        r = sync("--resnapshot", "public.nope");
        assertThat(r.exit()).as(r.output()).isEqualTo(3);
        assertThat(r.output()).contains("--resnapshot public.nope: not a selected stream");
        r = sync("--resnapshot", "public.items");
        assertThat(r.exit()).as(r.output()).isEqualTo(3);
        assertThat(r.output()).contains("only cdc streams are resnapshotted");
        before.assertUnchanged();
        assertThat(sync("--value-errors", "null").exit()).isZero();
    }
}
