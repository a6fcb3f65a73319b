package io.lifeboat.appliance.catalog;

import java.nio.file.Path;

import javax.sql.DataSource;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.io.TempDir;

/** The embedded catalog, on disk as the appliance runs it. */
class H2CatalogTest extends CatalogContract {

    @TempDir
    Path dir;

    @Override
    protected DataSource freshDatabase() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:file:" + dir.resolve("catalog"));
        ds.setUser("sa");
        return ds;
    }
}
