package io.tributary.driver.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.types.ConfigException;
import io.tributary.types.Json;
import io.tributary.types.Secret;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The builder makes the config the same JSON binds to: same defaults, same validation. */
class PostgresConfigBuilderTest {
    private static PostgresConfig bind(String json) {
        return Json.bind(Json.parse(json), PostgresConfig.class, "source.json");
    }

    @Test
    void unsetKeysTakeTheDefaultsOfSourceJson() {
        PostgresConfig built = PostgresConfig.builder().host("db").database("shop").username("u").build();
        assertThat(built).isEqualTo(bind("{\"host\": \"db\", \"database\": \"shop\", \"username\": \"u\"}"));
        assertThat(built.port()).isEqualTo(5432);
        assertThat(built.updateMethod()).isEmpty();
    }

    @Test
    void everyKeyMatchesItsJsonKey() {
        PostgresConfig built = PostgresConfig.builder().host("db").port(6543).database("shop").username("u")
                .password(Secret.of("pw")).jdbcUrlParams(Map.of("connectTimeout", "5")).ssl(PostgresConfig.SslMode.REQUIRE, null)
                .schemas(List.of("a", "b")).maxThreads(7).retryCount(1).chunkSize(1000).backfillRead(PostgresConfig.BackfillRead.SELECT)
                .cdc("slot", "pub").build();
        assertThat(built).isEqualTo(bind("{\"host\": \"db\", \"port\": 6543, \"database\": \"shop\", \"username\": "
                + "\"u\", \"password\": \"pw\", \"jdbc_url_params\": {\"connectTimeout\": \"5\"}, \"ssl\": {\"mode\": "
                + "\"require\"}, \"schemas\": [\"a\", \"b\"], \"max_threads\": 7, \"retry_count\": 1, \"chunk_size\": "
                + "1000, \"backfill_read\": \"select\", \"update_method\": {\"replication_slot\": \"slot\", "
                + "\"publication\": \"pub\"}}"));
        assertThat(built.toString()).doesNotContain("pw");
        try (DriverInterface d = Drivers.configured(built)) {
            assertThat(d.type()).isEqualTo("postgres");
            assertThat(d.config()).isSameAs(built);
        }
    }

    @Test
    void buildValidatesAsBindingDoes() {
        assertThatThrownBy(() -> PostgresConfig.builder().database("shop").username("u").build())
                .isInstanceOf(ConfigException.class).hasMessageContaining("'host'");
        assertThatThrownBy(() -> PostgresConfig.builder().host("db").database("shop").username("u").port(0).build())
                .isInstanceOf(ConfigException.class).hasMessageContaining("'port'");
    }
}
