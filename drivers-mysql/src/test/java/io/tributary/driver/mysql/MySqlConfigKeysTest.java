package io.tributary.driver.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.testkit.BadInput;
import io.tributary.types.ConfigException;
import io.tributary.types.Json;
import io.tributary.types.RenamedKeys;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The keys every driver shares ({@code retry_count}, {@code ssl.mode}, {@code max_threads}) and the old names that
 * still bind: {@code backoff_retry_count} and {@code tls}, each warned about once per JVM, naming old and new key.
 */
class MySqlConfigKeysTest {
    private static final String BASE = "{\"host\": \"db\", \"database\": \"shop\", \"username\": \"u\"";

    private static MySqlConfig bind(String keys) {
        return Json.bind(Json.parse(BASE + ", " + keys + "}"), MySqlConfig.class, "source.json");
    }

    @BeforeEach
    void forgetWarnings() {
        RenamedKeys.resetWarnings();
    }

    @Test
    void retryCountBinds() {
        try (BadInput.Output out = BadInput.captureOutput()) {
            assertThat(bind("\"retry_count\": 7").retryCount()).isEqualTo(7);
            assertThat(out.text()).doesNotContain("deprecated");
        }
    }

    @Test
    void backoffRetryCountStillBindsAndWarnsOnceNamingBothKeys() {
        try (BadInput.Output out = BadInput.captureOutput()) {
            assertThat(bind("\"backoff_retry_count\": 7").retryCount()).isEqualTo(7);
            assertThat(bind("\"backoff_retry_count\": 0").retryCount()).isZero();
            String text = out.text();
            assertThat(text).contains("WARN").contains("mysql source: key 'backoff_retry_count' is deprecated")
                    .contains("use 'retry_count'");
            assertThat(text.split("'backoff_retry_count' is deprecated", -1)).hasSize(2);
        }
        assertThat(bind("\"backoff_retry_count\": 2, \"retry_count\": 2").retryCount()).isEqualTo(2);
        assertThatThrownBy(() -> bind("\"backoff_retry_count\": 1, \"retry_count\": 2"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'retry_count' and 'backoff_retry_count'");
    }

    @Test
    void sslModeBindsThePostgresNamesAndMapsToConnectorJ() {
        try (BadInput.Output out = BadInput.captureOutput()) {
            assertThat(bind("\"ssl\": {\"mode\": \"disable\"}").sslMode()).isEqualTo(MySqlConfig.SslMode.DISABLE);
            assertThat(bind("\"ssl\": {\"mode\": \"require\"}").sslMode().connectorJ()).isEqualTo("REQUIRED");
            assertThat(bind("\"ssl\": {}").sslMode()).isEqualTo(MySqlConfig.SslMode.PREFER);
            assertThat(bind("\"port\": 3306").sslMode().connectorJ()).isEqualTo("PREFERRED");
            assertThat(out.text()).doesNotContain("deprecated");
        }
        assertThatThrownBy(() -> bind("\"ssl\": {\"mode\": \"disabled\"}")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("ssl.mode");
    }

    @Test
    void tlsStillBindsWithItsOldValuesAndWarnsOnceNamingBothKeys() {
        try (BadInput.Output out = BadInput.captureOutput()) {
            assertThat(bind("\"tls\": {\"mode\": \"disabled\"}").sslMode()).isEqualTo(MySqlConfig.SslMode.DISABLE);
            assertThat(bind("\"tls\": {\"mode\": \"required\"}").sslMode()).isEqualTo(MySqlConfig.SslMode.REQUIRE);
            assertThat(bind("\"tls\": {\"mode\": \"preferred\"}").sslMode()).isEqualTo(MySqlConfig.SslMode.PREFER);
            String text = out.text();
            assertThat(text).contains("mysql source: key 'tls' is deprecated").contains("use 'ssl' instead (ssl.mode is disable, prefer or require)");
            assertThat(text.split("'tls' is deprecated", -1)).hasSize(2);
        }
        assertThat(bind("\"tls\": {\"mode\": \"disabled\"}"))
                .isEqualTo(bind("\"ssl\": {\"mode\": \"disable\"}"));
        assertThatThrownBy(() -> bind("\"tls\": {\"mode\": \"maybe\"}")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("tls.mode");
        assertThatThrownBy(() -> bind("\"tls\": {\"mode\": \"disabled\"}, \"ssl\": {\"mode\": \"disable\"}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'ssl' and 'tls'");
    }

    @Test
    void maxThreadsHasTheBoundsOfEveryDriver() {
        assertThat(bind("\"max_threads\": 256").maxThreads()).isEqualTo(256);
        assertThatThrownBy(() -> bind("\"max_threads\": 257").validate()).isInstanceOf(ConfigException.class)
                .hasMessageContaining("max_threads");
        assertThatThrownBy(() -> bind("\"max_threads\": 0").validate()).isInstanceOf(ConfigException.class)
                .hasMessageContaining("max_threads");
    }
}
