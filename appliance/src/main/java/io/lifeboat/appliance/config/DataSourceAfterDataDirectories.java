package io.lifeboat.appliance.config;

import javax.sql.DataSource;

import org.springframework.boot.autoconfigure.AbstractDependsOnBeanFactoryPostProcessor;
import org.springframework.stereotype.Component;

/**
 * The embedded catalog lives in the data directory: create that first, so an unusable data
 * directory stops startup with {@link DataDirectoryException}'s clear message rather than H2's.
 */
@Component
class DataSourceAfterDataDirectories extends AbstractDependsOnBeanFactoryPostProcessor {

    DataSourceAfterDataDirectories() {
        super(DataSource.class, DataDirectories.class);
    }
}
