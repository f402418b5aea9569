package io.tributary.driver.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.types.ConfigException;
import io.tributary.types.Json;
import io.tributary.types.Secret;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The builder makes the config the same JSON binds to: same defaults, same validation. */
class MySqlConfigBuilderTest {
    private static MySqlConfig bind(String json) {
        return Json.bind(Json.parse(json), MySqlConfig.class, "source.json");
    }

    @Test
    void builderAndJsonMakeTheSameConfig() {
        assertThat(MySqlConfig.builder().host("db").database("shop").username("u").build())
                .isEqualTo(bind("{\"host\": \"db\", \"database\": \"shop\", \"username\": \"u\"}"));
        MySqlConfig built = MySqlConfig.builder().host("db").port(3307).database("shop").username("u")
                .password(Secret.of("pw")).jdbcUrlParams(Map.of("socketTimeout", "1000")).sslMode(MySqlConfig.SslMode.REQUIRE)
                .maxThreads(5).retryCount(0).chunkSize(10).updateMethod(MySqlConfig.UpdateMethod.of(77L, 2)).build();
        assertThat(built).isEqualTo(bind("{\"host\": \"db\", \"port\": 3307, \"database\": \"shop\", \"username\": "
                + "\"u\", \"password\": \"pw\", \"jdbc_url_params\": {\"socketTimeout\": \"1000\"}, \"ssl\": {\"mode\": "
                + "\"require\"}, \"max_threads\": 5, \"retry_count\": 0, \"chunk_size\": 10, \"update_method\": "
                + "{\"server_id\": 77, \"initial_wait_time\": 2}}"));
        try (DriverInterface d = Drivers.configured(built)) {
            assertThat(d.type()).isEqualTo("mysql");
        }
        assertThatThrownBy(() -> MySqlConfig.builder().host("db").database("shop").username("u").maxThreads(0)
                .build()).isInstanceOf(ConfigException.class).hasMessageContaining("max_threads");
    }
}
