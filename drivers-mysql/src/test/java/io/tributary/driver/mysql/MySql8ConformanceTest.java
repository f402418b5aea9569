package io.tributary.driver.mysql;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tributary.testkit.TestingMySql8;
import io.tributary.testkit.conformance.ConformanceFixture;
import io.tributary.testkit.conformance.DriverConformanceTest;
import java.util.Set;

/** The MySQL driver against the conformance kit, on a MySQL 8.0 server ({@link TestingMySql8}). */
class MySql8ConformanceTest extends DriverConformanceTest {
    @Override
    protected ConformanceFixture createFixture() {
        assumeTrue(TestingMySql8.available(), () -> "MySQL 8 cannot run here: " + TestingMySql8.unavailableReason());
        return new MySqlConformanceTest.Fixture(new TestingMySql8());
    }

    @Override
    protected Set<Behavior> behaviors() {
        return all();
    }
}
