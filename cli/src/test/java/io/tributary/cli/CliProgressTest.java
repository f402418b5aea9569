package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

/** The CLI's option checks (the progress lines of a running sync: GeneratorCliTest in examples). */
class CliProgressTest {
    @Test
    void durationsAndLogLevelsAreChecked() throws Exception {
        TributaryCli.DurationConverter c = new TributaryCli.DurationConverter();
        assertThat(c.convert("500ms")).hasMillis(500);
        assertThat(c.convert("10s")).hasSeconds(10);
        assertThat(c.convert("2m")).hasMinutes(2);
        assertThat(c.convert("PT1H")).hasHours(1);
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true));
        try {
            assertThat(TributaryCli.run("sync", "--log-level", "loud", "--help")).isEqualTo(2);
        } finally {
            System.setErr(old);
        }
        assertThat(buf.toString()).contains("--log-level must be one of [trace, debug, info, warn, error, off]");
    }
}
