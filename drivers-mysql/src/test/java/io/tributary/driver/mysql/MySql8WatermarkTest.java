package io.tributary.driver.mysql;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tributary.testkit.TestingMySql8;
import io.tributary.testkit.TestingMySqlServer;

/**
 * {@link MySqlWatermarkTest} on MySQL 8.0, which has no {@code binlog_snapshot_position}: the watermark hand-over is
 * checked; the wait for visibility is skipped (visibly), as {@link MySqlCdc} documents.
 */
class MySql8WatermarkTest extends MySqlWatermarkTest {
    @Override
    TestingMySqlServer newServer() {
        assumeTrue(TestingMySql8.available(), () -> "MySQL 8 cannot run here: " + TestingMySql8.unavailableReason());
        return new TestingMySql8();
    }
}
