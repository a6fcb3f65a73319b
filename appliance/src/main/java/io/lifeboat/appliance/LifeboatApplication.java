package io.lifeboat.appliance;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The Lifeboat appliance: one process that wires inventory, backup, catalog, store and REST API. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class LifeboatApplication {

    public static void main(String[] args) {
        SpringApplication.run(LifeboatApplication.class, args);
    }
}
