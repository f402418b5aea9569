package io.tributary.driver.mysql;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tributary.testkit.TestingMySql8;
import io.tributary.testkit.TestingMySqlServer;

/**
 * {@link MySqlDriverTest} on MySQL 8.0: its type mapping, XA transactions (MySQL logs XA START and XA END, which
 * MariaDB does not) and typed setup errors.
 */
class MySql8DriverTest extends MySqlDriverTest {
    @Override
    TestingMySqlServer newServer(String binlogFormat) {
        assumeTrue(TestingMySql8.available(), () -> "MySQL 8 cannot run here: " + TestingMySql8.unavailableReason());
        return new TestingMySql8(binlogFormat);
    }
}
