package io.tributary.driver.mongodb;

import com.mongodb.client.model.Filters;
import io.tributary.core.filter.Filter;
import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.Schema;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.bson.conversions.Bson;
import org.bson.types.Decimal128;

/**
 * The catalog's {@link Filter} as a MongoDB query, with SQL's meaning: a comparison never matches a missing or null
 * field ({@code <>} included, unlike {@code $ne} alone), and each literal is typed by its field (a number for a
 * numeric field, a Decimal128 for a decimal one, a date for a timestamp written as text, an ObjectId for an
 * {@code _id} given as its hex digits), so that backfill returns the rows the engine lets through on CDC.
 */
final class MongoFilters {
    private MongoFilters() {
    }

    static Bson toBson(Filter f, Schema schema) {
        if (f instanceof Filter.And a) {
            return Filters.and(parts(a.parts(), schema));
        }
        if (f instanceof Filter.Or o) {
            return Filters.or(parts(o.parts(), schema));
        }
        Filter.Condition c = (Filter.Condition) f;
        String name = c.column();
        Field field = schema.field(name).orElse(null);
        return switch (c.op()) {
            case IS_NULL -> Filters.eq(name, null);
            case IS_NOT_NULL -> Filters.ne(name, null);
            case EQ -> Filters.eq(name, value(field, c.value()));
            case NE -> Filters.and(Filters.ne(name, value(field, c.value())), Filters.ne(name, null));
            case LT -> Filters.lt(name, value(field, c.value()));
            case LE -> Filters.lte(name, value(field, c.value()));
            case GT -> Filters.gt(name, value(field, c.value()));
            case GE -> Filters.gte(name, value(field, c.value()));
        };
    }

    private static List<Bson> parts(List<Filter> parts, Schema schema) {
        List<Bson> out = new ArrayList<>(parts.size());
        for (Filter p : parts) {
            out.add(toBson(p, schema));
        }
        return out;
    }

    private static Object value(Field field, Object literal) {
        DataType type = field == null ? DataType.STRING : field.type();
        if (literal instanceof BigDecimal d) {
            return switch (type) {
                case DECIMAL -> new Decimal128(d);
                case FLOAT32, FLOAT64 -> d.doubleValue();
                default -> integral(d) ? (Object) d.longValueExact() : (Object) d.doubleValue();
            };
        }
        if (literal instanceof String s && type.isTimestamp()) {
            return java.util.Date.from(instant(s.trim()));
        }
        return MongoTypes.toBson(field, literal);
    }

    private static boolean integral(BigDecimal d) {
        try {
            d.longValueExact();
            return true;
        } catch (ArithmeticException e) {
            return false;
        }
    }

    private static Instant instant(String s) {
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            String t = s.replace(' ', 'T');
            return t.length() == 10 ? LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
        }
    }
}
