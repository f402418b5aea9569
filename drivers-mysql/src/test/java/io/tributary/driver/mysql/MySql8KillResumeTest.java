package io.tributary.driver.mysql;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tributary.testkit.TestingMySql8;
import io.tributary.testkit.TestingMySqlServer;

/**
 * {@link MySqlKillResumeTest} on MySQL 8.0 ({@code gtid_mode=ON}: a resumed run continues from a GTID set, and the
 * watermark mode waits for GTIDs). Fewer trials per mode by default (2) to keep the suite short: the MariaDB run
 * covers the many-seeds part; {@code -Dtributary.trials=N} asks for more.
 */
class MySql8KillResumeTest extends MySqlKillResumeTest {
    @Override
    TestingMySqlServer newServer() {
        assumeTrue(TestingMySql8.available(), () -> "MySQL 8 cannot run here: " + TestingMySql8.unavailableReason());
        return new TestingMySql8();
    }

    @Override
    int defaultTrials() {
        return 2;
    }
}
