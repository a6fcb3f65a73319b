package io.lifeboat.appliance.policy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

import javax.sql.DataSource;

import io.lifeboat.appliance.config.ApplianceNode;
import io.lifeboat.scheduler.quartz.DrillTriggers;
import io.lifeboat.scheduler.quartz.MisfireListener;
import io.lifeboat.scheduler.quartz.PolicyTriggers;
import io.lifeboat.scheduler.quartz.QuartzSchema;
import org.flywaydb.core.api.Location;
import org.quartz.Scheduler;
import org.springframework.boot.flyway.autoconfigure.FlywayConfigurationCustomizer;
import org.springframework.boot.quartz.autoconfigure.QuartzProperties;
import org.springframework.boot.quartz.autoconfigure.SchedulerFactoryBeanCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Quartz on the catalog database: the JDBC job store, clustered (instance id AUTO), so appliances
 * sharing a PostgreSQL catalog fire each policy schedule once between them; on the embedded H2
 * catalog it is a cluster of one. Flyway creates Quartz's tables from the vendor's location (see
 * the scheduler's {@link QuartzSchema}); the delegate follows the database. The scheduler's
 * {@link MisfireListener} listens to every trigger and tells {@link MisfireRecorder}; Spring's job
 * factory builds each {@code PolicyFiring} with the {@link PolicyRunner}, and each runbook's
 * {@code DrillFiring} with the appliance's {@code RunbookDrills}.
 */
@Configuration(proxyBeanMethods = false)
class QuartzConfiguration {

    @Bean
    FlywayConfigurationCustomizer quartzTables(DataSource dataSource) {
        return flyway -> {
            List<Location> locations = new ArrayList<>(Arrays.asList(flyway.getLocations()));
            locations.add(new Location(QuartzSchema.location(dataSource)));
            flyway.locations(locations.toArray(Location[]::new));
        };
    }

    @Bean
    PolicyTriggers policyTriggers(Scheduler quartz) {
        return new PolicyTriggers(quartz);
    }

    @Bean
    DrillTriggers drillTriggers(Scheduler quartz) {
        return new DrillTriggers(quartz);
    }

    @Bean
    MisfireRecorder misfireRecorder(PolicyRunRepository runs, ApplianceNode node) {
        return new MisfireRecorder(runs, node);
    }

    @Bean
    SchedulerFactoryBeanCustomizer clusteredJobStore(DataSource dataSource, QuartzProperties quartz,
                                                     MisfireRecorder misfires) {
        return factory -> {
            Properties p = new Properties();
            p.putAll(quartz.getProperties());
            p.putIfAbsent("org.quartz.scheduler.instanceName", "lifeboat");
            p.putIfAbsent("org.quartz.scheduler.instanceId", "AUTO");
            p.putIfAbsent("org.quartz.jobStore.isClustered", "true");
            p.putIfAbsent("org.quartz.jobStore.driverDelegateClass", QuartzSchema.of(dataSource).delegate());
            factory.setQuartzProperties(p);
            factory.setGlobalTriggerListeners(new MisfireListener(misfires));
        };
    }
}
