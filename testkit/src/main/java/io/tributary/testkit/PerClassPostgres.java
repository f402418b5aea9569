package io.tributary.testkit;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * {@code @ExtendWith(PerClassPostgres.class)}: before a test class's tests, every {@code static TestingPostgres} field
 * of the class is set to a freshly started server; after them, each is closed and set back to null. Replaces the
 * {@code @BeforeAll}/{@code @AfterAll} pair each PostgreSQL test class would otherwise carry.
 */
public final class PerClassPostgres implements BeforeAllCallback, AfterAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        for (Field f : fields(context.getRequiredTestClass())) {
            f.set(null, new TestingPostgres());
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        for (Field f : fields(context.getRequiredTestClass())) {
            TestingPostgres pg = (TestingPostgres) f.get(null);
            f.set(null, null);
            if (pg != null) {
                pg.close();
            }
        }
    }

    private static List<Field> fields(Class<?> type) {
        List<Field> out = new ArrayList<>();
        for (Field f : type.getDeclaredFields()) {
            if (f.getType() == TestingPostgres.class && Modifier.isStatic(f.getModifiers())
                    && !Modifier.isFinal(f.getModifiers())) {
                f.setAccessible(true);
                out.add(f);
            }
        }
        return out;
    }
}
