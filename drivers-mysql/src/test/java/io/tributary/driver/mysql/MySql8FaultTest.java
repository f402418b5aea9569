package io.tributary.driver.mysql;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tributary.testkit.TestingMySql8;
import io.tributary.testkit.TestingMySqlServer;

/**
 * {@link MySqlFaultTest} on MySQL 8.0: the server restarted in the middle of a backfill and of a binlog stream (after
 * the restart the binlog client authenticates from scratch: {@code caching_sha2_password}'s cache is empty).
 */
class MySql8FaultTest extends MySqlFaultTest {
    @Override
    TestingMySqlServer newServer() {
        assumeTrue(TestingMySql8.available(), () -> "MySQL 8 cannot run here: " + TestingMySql8.unavailableReason());
        return new TestingMySql8();
    }
}
