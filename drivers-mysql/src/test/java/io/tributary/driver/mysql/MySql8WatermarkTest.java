package io.tributary.driver.mysql;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tributary.testkit.TestingMySql8;
import io.tributary.testkit.TestingMySqlServer;

/**
 * {@link MySqlWatermarkTest} on MySQL 8.0 ({@code gtid_mode=ON}), which has no {@code binlog_snapshot_position}: a
 * watermark waits for the GTID of the last change delivered before it to be executed, as {@link MySqlCdc} documents.
 */
class MySql8WatermarkTest extends MySqlWatermarkTest {
    @Override
    TestingMySqlServer newServer() {
        assumeTrue(TestingMySql8.available(), () -> "MySQL 8 cannot run here: " + TestingMySql8.unavailableReason());
        return new TestingMySql8();
    }
}
