package io.tributary.examples;

import java.sql.SQLException;
import java.sql.Statement;

/** The quickstart's demo schema: customers, products and orders with realistic types, and a round of changes. */
final class DemoSchema {
    private DemoSchema() {
    }

    static void create(Statement st, int orders) throws SQLException {
        st.execute("""
                CREATE TABLE customers (
                  id bigint PRIMARY KEY, name text NOT NULL, email varchar(200), country char(2),
                  vip boolean NOT NULL DEFAULT false, created_at timestamptz NOT NULL, profile jsonb)""");
        st.execute("""
                INSERT INTO customers
                SELECT g, 'Customer ' || g, 'c' || g || '@example.com', (ARRAY['DE','FR','MX','JP','US'])[1 + g %% 5],
                       g %% 10 = 0, timestamptz '2025-01-01 00:00:00+00' + g * interval '37 minutes',
                       jsonb_build_object('tier', g %% 3, 'tags', jsonb_build_array('a', g %% 7))
                FROM generate_series(1, %d) g""".formatted(Math.max(100, orders / 4)));
        st.execute("""
                CREATE TABLE products (
                  id integer PRIMARY KEY, sku uuid NOT NULL, name text NOT NULL, price numeric(10,2) NOT NULL,
                  weight_kg real, launched date)""");
        st.execute("""
                INSERT INTO products
                SELECT g, md5(g::text)::uuid, 'Product ' || g, round((g * 1.37)::numeric % 500 + 0.99, 2),
                       (g % 50) / 3.0, date '2020-01-01' + g
                FROM generate_series(1, 500) g""");
        st.execute("""
                CREATE TABLE orders (
                  id bigint PRIMARY KEY, customer_id bigint NOT NULL, product_id integer NOT NULL,
                  quantity integer NOT NULL, total numeric(12,2) NOT NULL, status text NOT NULL,
                  ordered_at timestamptz NOT NULL, note text)""");
        st.execute("""
                INSERT INTO orders
                SELECT g, 1 + g %% %d, 1 + g %% 500, 1 + g %% 9, round((g %% 997) * 3.17 + 1, 2),
                       (ARRAY['new','paid','shipped','returned'])[1 + g %% 4],
                       timestamptz '2025-06-01 00:00:00+00' + g * interval '91 seconds',
                       CASE WHEN g %% 11 = 0 THEN 'gift wrap, ünïcode ✓' END
                FROM generate_series(1, %d) g""".formatted(Math.max(100, orders / 4), orders));
        st.execute("ANALYZE");
    }

    /** Inserts, updates and deletes in all three tables. */
    static void applyChanges(Statement st) throws SQLException {
        st.execute("""
                INSERT INTO orders
                SELECT 1000000 + g, 1 + g % 50, 1 + g % 500, 2, 19.99, 'new', now(), 'added after the backfill'
                FROM generate_series(1, 500) g""");
        st.execute("UPDATE orders SET status = 'shipped', note = 'updated by CDC' WHERE id % 50 = 1");
        st.execute("DELETE FROM orders WHERE id % 97 = 0");
        st.execute("UPDATE customers SET vip = true, profile = '{\"tier\": 9}' WHERE id <= 25");
        st.execute("DELETE FROM customers WHERE id BETWEEN 90 AND 99");
        st.execute("UPDATE products SET price = price + 1 WHERE id % 10 = 0");
    }
}
