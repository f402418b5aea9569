package io.tributary.driver.mysql;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tributary.testkit.TestingMySql8;
import io.tributary.testkit.TestingMySqlServer;

/**
 * {@link MySqlBadInputTest} on MySQL 8.0 ({@code caching_sha2_password}, {@code gtid_mode=ON}): a state's identity
 * is the server's {@code server_uuid}; the MariaDB-only column types are skipped.
 */
class MySql8BadInputTest extends MySqlBadInputTest {
    @Override
    TestingMySqlServer newServer(String binlogFormat, int serverId) {
        assumeTrue(TestingMySql8.available(), () -> "MySQL 8 cannot run here: " + TestingMySql8.unavailableReason());
        return new TestingMySql8(binlogFormat, serverId);
    }
}
