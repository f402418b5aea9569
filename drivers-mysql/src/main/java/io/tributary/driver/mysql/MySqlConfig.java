package io.tributary.driver.mysql;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tributary.core.DriverConfig;
import io.tributary.types.ConfigException;
import io.tributary.types.Secret;
import java.util.Map;
import java.util.Optional;

/**
 * The MySQL / MariaDB source config, with OLake's keys:
 * <pre>{@code
 * {"host": "localhost", "port": 3306, "database": "shop", "username": "tributary", "password": "…",
 *  "jdbc_url_params": {}, "tls": {"mode": "disabled"}, "max_threads": 3, "backoff_retry_count": 3,
 *  "chunk_size": 100000, "update_method": {"server_id": 5400, "initial_wait_time": 10}}
 * }</pre>
 * {@code update_method} enables binlog CDC; {@code server_id} is this client's replica ID (random when absent,
 * kept in state).
 */
public record MySqlConfig(String host, int port, String database, String username, Secret password,
        Map<String, String> jdbcUrlParams, String tlsMode, int maxThreads, int retryCount, long chunkSize,
        Optional<UpdateMethod> updateMethod) implements DriverConfig {

    /** Binlog CDC settings. */
    public record UpdateMethod(Long serverId, int initialWaitTime) {
        @JsonCreator
        public static UpdateMethod of(@JsonProperty("server_id") Long serverId,
                @JsonProperty("initial_wait_time") Integer wait) {
            return new UpdateMethod(serverId, wait == null ? 10 : wait);
        }
    }

    /** TLS: {@code mode} is disabled, preferred or required. */
    public record Tls(@JsonProperty("mode") String mode) {
    }

    @JsonCreator
    public static MySqlConfig of(@JsonProperty("host") String host, @JsonProperty("port") Integer port,
            @JsonProperty("database") String database, @JsonProperty("username") String username,
            @JsonProperty("password") Secret password,
            @JsonProperty("jdbc_url_params") Map<String, String> params, @JsonProperty("tls") Tls tls,
            @JsonProperty("max_threads") Integer maxThreads,
            @JsonProperty("backoff_retry_count") Integer retries, @JsonProperty("chunk_size") Long chunkSize,
            @JsonProperty("update_method") UpdateMethod updateMethod) {
        return new MySqlConfig(host, port == null ? 3306 : port, database, username,
                password == null ? Secret.of("") : password, params == null ? Map.of() : Map.copyOf(params),
                tls == null || tls.mode() == null ? "preferred" : tls.mode(), maxThreads == null ? 3 : maxThreads,
                retries == null ? 3 : retries, chunkSize == null ? 100_000 : chunkSize,
                Optional.ofNullable(updateMethod));
    }

    @Override
    public void validate() {
        if (host == null || host.isBlank()) {
            throw new ConfigException("key 'host' is required");
        }
        if (port < 1 || port > 65535) {
            throw new ConfigException("key 'port' must be 1..65535, got " + port);
        }
        if (database == null || database.isBlank()) {
            throw new ConfigException("key 'database' is required");
        }
        if (username == null || username.isBlank()) {
            throw new ConfigException("key 'username' is required");
        }
        if (maxThreads < 1 || retryCount < 0 || chunkSize < 1) {
            throw new ConfigException("keys 'max_threads' and 'chunk_size' must be >= 1, 'backoff_retry_count' >= 0");
        }
        if (!java.util.List.of("disabled", "preferred", "required").contains(tlsMode)) {
            throw new ConfigException("key 'tls.mode' must be disabled, preferred or required, got " + tlsMode);
        }
    }

    @Override
    public String toString() {
        return "MySqlConfig[" + username + "@" + host + ":" + port + "/" + database + "]";
    }
}
