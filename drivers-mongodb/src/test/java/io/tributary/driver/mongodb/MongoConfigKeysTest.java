package io.tributary.driver.mongodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.driver.mongodb.MongoConfig.ChunkingStrategy;
import io.tributary.driver.mongodb.MongoConfig.ReadPreferenceMode;
import io.tributary.testkit.BadInput;
import io.tributary.types.ConfigException;
import io.tributary.types.Json;
import io.tributary.types.RenamedKeys;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The keys every driver shares ({@code retry_count}, {@code max_threads}), the old name {@code backoff_retry_count}
 * (warned about once per JVM, naming old and new key) and the enums.
 */
class MongoConfigKeysTest {
    private static MongoConfig bind(String keys) {
        return Json.bind(Json.parse("{\"hosts\": [\"h\"], \"database\": \"shop\", " + keys + "}"), MongoConfig.class,
                "source.json");
    }

    @BeforeEach
    void forgetWarnings() {
        RenamedKeys.resetWarnings();
    }

    @Test
    void retryCountBinds() {
        try (BadInput.Output out = BadInput.captureOutput()) {
            assertThat(bind("\"retry_count\": 5").retryCount()).isEqualTo(5);
            assertThat(out.text()).doesNotContain("deprecated");
        }
    }

    @Test
    void backoffRetryCountStillBindsAndWarnsOnceNamingBothKeys() {
        try (BadInput.Output out = BadInput.captureOutput()) {
            assertThat(bind("\"backoff_retry_count\": 5").retryCount()).isEqualTo(5);
            assertThat(bind("\"backoff_retry_count\": 1").retryCount()).isEqualTo(1);
            String text = out.text();
            assertThat(text).contains("WARN").contains("mongodb source: key 'backoff_retry_count' is deprecated")
                    .contains("use 'retry_count'");
            assertThat(text.split("'backoff_retry_count' is deprecated", -1)).hasSize(2);
        }
        assertThatThrownBy(() -> bind("\"backoff_retry_count\": 1, \"retry_count\": 2"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'retry_count' and 'backoff_retry_count'");
    }

    @Test
    void enumsBindTheirJsonValues() {
        MongoConfig c = bind("\"read_preference\": \"secondaryPreferred\", \"chunking_strategy\": \"single\"");
        assertThat(c.readPreference()).isEqualTo(ReadPreferenceMode.SECONDARY_PREFERRED);
        assertThat(com.mongodb.ReadPreference.valueOf(c.readPreference().mongoName()))
                .isEqualTo(com.mongodb.ReadPreference.secondaryPreferred());
        assertThat(c.chunkingStrategy()).isEqualTo(ChunkingStrategy.SINGLE);
        MongoConfig defaults = bind("\"srv\": false");
        assertThat(defaults.readPreference()).isEqualTo(ReadPreferenceMode.PRIMARY_PREFERRED);
        assertThat(defaults.chunkingStrategy()).isEqualTo(ChunkingStrategy.KEY_SCAN);
        for (ReadPreferenceMode m : ReadPreferenceMode.values()) {
            assertThat(com.mongodb.ReadPreference.valueOf(m.mongoName()).getName()).isEqualTo(m.mongoName());
        }
        assertThatThrownBy(() -> bind("\"chunking_strategy\": \"magic\"")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("chunking_strategy");
        assertThatThrownBy(() -> bind("\"read_preference\": \"SECONDARY\"")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("read_preference");
    }

    @Test
    void maxThreadsHasTheBoundsOfEveryDriver() {
        assertThat(bind("\"max_threads\": 256").maxThreads()).isEqualTo(256);
        assertThatThrownBy(() -> bind("\"max_threads\": 257").validate()).isInstanceOf(ConfigException.class)
                .hasMessageContaining("max_threads");
    }
}
