package io.tributary.driver.jdbc;

import io.tributary.types.DataType;
import io.tributary.types.Field;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Which columns of a discovered table an incremental cursor may be on. */
public final class CursorColumns {
    private CursorColumns() {
    }

    /**
     * The columns whose type the cursor predicates ({@link SelectQuery#cursorAtLeast}) compare and the engine orders
     * as the server does: integers, floating point, decimals, dates, timestamps and strings; in table order.
     */
    public static Set<String> of(List<Field> fields) {
        Set<String> cursors = new LinkedHashSet<>();
        for (Field f : fields) {
            if (f.type().isInteger() || f.type().isFloating() || f.type() == DataType.DECIMAL
                    || f.type() == DataType.DATE || f.type().isTimestamp() || f.type() == DataType.STRING) {
                cursors.add(f.name());
            }
        }
        return cursors;
    }
}
