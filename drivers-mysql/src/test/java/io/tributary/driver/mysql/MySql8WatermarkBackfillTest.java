package io.tributary.driver.mysql;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tributary.testkit.TestingMySql8;
import io.tributary.testkit.TestingMySqlServer;

/** {@link MySqlWatermarkBackfillTest} on MySQL 8.0. */
class MySql8WatermarkBackfillTest extends MySqlWatermarkBackfillTest {
    @Override
    TestingMySqlServer newServer() {
        assumeTrue(TestingMySql8.available(), () -> "MySQL 8 cannot run here: " + TestingMySql8.unavailableReason());
        return new TestingMySql8();
    }
}
