package io.tributary.driver.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.driver.postgres.PostgresConfig.BackfillRead;
import io.tributary.driver.postgres.PostgresConfig.SslMode;
import io.tributary.types.ConfigException;
import io.tributary.types.Json;
import org.junit.jupiter.api.Test;

/** {@code backfill_read} and {@code ssl.mode} are enums bound from their JSON values; {@code max_threads} bounded. */
class PostgresConfigKeysTest {
    private static PostgresConfig bind(String keys) {
        return Json.bind(Json.parse("{\"host\": \"db\", \"database\": \"shop\", \"username\": \"u\", " + keys + "}"),
                PostgresConfig.class, "source.json");
    }

    @Test
    void enumsBindTheirJsonValues() {
        assertThat(bind("\"backfill_read\": \"select\"").backfillRead()).isEqualTo(BackfillRead.SELECT);
        assertThat(bind("\"port\": 5432").backfillRead()).isEqualTo(BackfillRead.BINARY_COPY);
        assertThat(bind("\"ssl\": {\"mode\": \"verify-full\", \"root_cert\": \"/ca.pem\"}").ssl())
                .isEqualTo(new PostgresConfig.Ssl(SslMode.VERIFY_FULL, "/ca.pem"));
        assertThat(bind("\"ssl\": {\"mode\": \"verify-ca\"}").ssl().mode().sslmode()).isEqualTo("verify-ca");
        assertThat(bind("\"ssl\": {}").ssl().mode()).isEqualTo(SslMode.PREFER);
        assertThat(bind("\"port\": 5432").ssl().mode()).isEqualTo(SslMode.PREFER);
        for (SslMode m : SslMode.values()) {
            assertThat(Json.mapper().valueToTree(m).asText()).isEqualTo(m.sslmode());
        }
        assertThatThrownBy(() -> bind("\"backfill_read\": \"copy\"")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("key 'backfill_read' must be one of binary_copy, select");
        assertThatThrownBy(() -> bind("\"ssl\": {\"mode\": \"VERIFY_FULL\"}")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("key 'ssl.mode' must be one of disable, allow, prefer, require, verify-ca, "
                        + "verify-full");
    }

    @Test
    void maxThreadsHasTheBoundsOfEveryDriver() {
        assertThat(bind("\"max_threads\": 256").maxThreads()).isEqualTo(256);
        assertThatThrownBy(() -> bind("\"max_threads\": 257").validate()).isInstanceOf(ConfigException.class)
                .hasMessageContaining("max_threads");
    }
}
