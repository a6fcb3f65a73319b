package io.lifeboat.appliance.catalog;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The catalog on a real PostgreSQL server, a throwaway database per test, dropped afterwards.
 * {@code scripts/host-setup.sh --postgres} provides the server and the role this test logs in as;
 * other servers are chosen with {@code LIFEBOAT_TEST_PG_URL} (a database the role may connect to),
 * {@code LIFEBOAT_TEST_PG_USER} and {@code LIFEBOAT_TEST_PG_PASSWORD}. Without a server the test is
 * skipped, unless {@code LIFEBOAT_TEST_PG_REQUIRED=1} (as {@code scripts/test.sh} sets) makes it fail.
 */
class PostgresCatalogTest extends CatalogContract {

    private static final String URL = env("LIFEBOAT_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/postgres");
    private static final String USER = env("LIFEBOAT_TEST_PG_USER", "lifeboat");
    private static final String PASSWORD = env("LIFEBOAT_TEST_PG_PASSWORD", "lifeboat");
    private static final List<String> CREATED = new ArrayList<>();

    private static String env(String name, String otherwise) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? otherwise : v;
    }

    private static Connection admin() throws SQLException {
        try {
            return DriverManager.getConnection(URL, USER, PASSWORD);
        } catch (SQLException e) {
            String why = "no PostgreSQL at " + URL + " as " + USER + " (" + e.getMessage()
                    + "); run scripts/host-setup.sh --postgres";
            return "1".equals(System.getenv("LIFEBOAT_TEST_PG_REQUIRED")) ? fail(why, e) : abort(why);
        }
    }

    @Override
    protected DataSource freshDatabase() throws SQLException {
        String name = "lifeboat_test_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        CREATED.add(name);
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(URL.substring(0, URL.lastIndexOf('/') + 1) + name);
        ds.setUser(USER);
        ds.setPassword(PASSWORD);
        return ds;
    }

    @AfterAll
    static void dropDatabases() throws SQLException {
        if (CREATED.isEmpty()) {
            return;
        }
        try (Connection c = admin(); Statement s = c.createStatement()) {
            for (String name : CREATED) {
                s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        }
        CREATED.clear();
    }
}
