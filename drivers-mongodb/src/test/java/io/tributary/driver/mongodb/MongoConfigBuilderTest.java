package io.tributary.driver.mongodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.types.ConfigException;
import io.tributary.types.Json;
import io.tributary.types.Secret;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The builder makes the config the same JSON binds to: same defaults, same validation. */
class MongoConfigBuilderTest {
    private static MongoConfig bind(String json) {
        return Json.bind(Json.parse(json), MongoConfig.class, "source.json");
    }

    @Test
    void builderAndJsonMakeTheSameConfig() {
        assertThat(MongoConfig.builder().hosts(List.of("h:27017")).database("shop").build())
                .isEqualTo(bind("{\"hosts\": [\"h:27017\"], \"database\": \"shop\"}"));
        MongoConfig built = MongoConfig.builder().hosts(List.of("a", "b:27018")).username("u").password(Secret.of("pw"))
                .authdb("auth").replicaSet("rs0").readPreference(MongoConfig.ReadPreferenceMode.SECONDARY).srv(false).database("shop").maxThreads(2)
                .retryCount(1).chunkingStrategy(MongoConfig.ChunkingStrategy.SINGLE).partitionSize(10).sampleSize(5).initialWaitTime(1)
                .serverSelectionTimeoutMs(500).build();
        assertThat(built).isEqualTo(bind("{\"hosts\": [\"a\", \"b:27018\"], \"username\": \"u\", \"password\": \"pw\", "
                + "\"authdb\": \"auth\", \"replica_set\": \"rs0\", \"read_preference\": \"secondary\", \"srv\": false, "
                + "\"database\": \"shop\", \"max_threads\": 2, \"retry_count\": 1, \"chunking_strategy\": "
                + "\"single\", \"partition_size\": 10, \"sample_size\": 5, \"initial_wait_time\": 1, "
                + "\"server_selection_timeout_ms\": 500}"));
        try (DriverInterface d = Drivers.configured(built)) {
            assertThat(d.type()).isEqualTo("mongodb");
        }
        assertThatThrownBy(() -> MongoConfig.builder().hosts(List.of("h")).database("shop").sampleSize(0)
                .build()).isInstanceOf(ConfigException.class).hasMessageContaining("sample_size");
    }
}
