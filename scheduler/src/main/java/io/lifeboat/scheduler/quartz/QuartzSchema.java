package io.lifeboat.scheduler.quartz;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

/**
 * Quartz's job store tables differ by database (column types, indexes), so their Flyway migration
 * lives in a location per vendor, {@code db/quartz/<vendor>/V11__quartz_tables.sql} in this
 * module, next to the appliance's portable catalog migrations in {@code db/migration}; Quartz's
 * JDBC delegate differs likewise.
 */
public enum QuartzSchema {
    H2("h2", "jdbc:h2:", "org.quartz.impl.jdbcjobstore.StdJDBCDelegate"),
    POSTGRESQL("postgresql", "jdbc:postgresql:", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");

    private final String vendor;
    private final String urlPrefix;
    private final String delegate;

    QuartzSchema(String vendor, String urlPrefix, String delegate) {
        this.vendor = vendor;
        this.urlPrefix = urlPrefix;
        this.delegate = delegate;
    }

    /** The Flyway location with Quartz's tables for this database. */
    public String location() {
        return "classpath:db/quartz/" + vendor;
    }

    /** Quartz's {@code org.quartz.jobStore.driverDelegateClass} for this database. */
    public String delegate() {
        return delegate;
    }

    public static String location(DataSource dataSource) {
        return of(dataSource).location();
    }

    /** The schema for the catalog's database; a database the catalog does not support is refused. */
    public static QuartzSchema of(DataSource dataSource) {
        String url;
        try (Connection c = dataSource.getConnection()) {
            url = c.getMetaData().getURL();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reach the catalog database: " + e.getMessage(), e);
        }
        return ofUrl(url);
    }

    /** The schema for a JDBC URL; a database the catalog does not support is refused. */
    public static QuartzSchema ofUrl(String url) {
        for (QuartzSchema s : values()) {
            if (url != null && url.startsWith(s.urlPrefix)) {
                return s;
            }
        }
        throw new IllegalStateException("the catalog runs on H2 or PostgreSQL, not on " + url);
    }
}
