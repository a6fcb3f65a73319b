package io.lifeboat.appliance.api;

import io.lifeboat.appliance.TestDirectories;

import java.nio.file.Path;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole appliance on a random port with a fresh data directory (H2 catalog, real chunk
 * store) and the admin password given as {@code LIFEBOAT_ADMIN_PASSWORD}. Test classes that
 * extend this and add no configuration of their own share one running appliance.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
public abstract class RunningAppliance {

    public static final String ADMIN_PASSWORD = "correct horse battery staple";

    /**
     * This appliance's data directory. Read from its context, not kept in a static: test classes
     * with configuration of their own start another appliance, with another directory, while
     * this one stays cached.
     */
    @Value("${lifeboat.data-dir}")
    protected Path data;

    @DynamicPropertySource
    static void appliance(DynamicPropertyRegistry registry) {
        Path top = TestDirectories.removedAtExit("lifeboat-appliance");
        Path dir = top.resolve("data");
        registry.add("lifeboat.data-dir", dir::toString);
        registry.add("server.tomcat.basedir", () -> top.resolve("tomcat").toString());
        registry.add("LIFEBOAT_ADMIN_PASSWORD", () -> ADMIN_PASSWORD);
    }

    @LocalServerPort
    protected int port;

    protected ApiClient admin() {
        return new ApiClient(port, "admin", ADMIN_PASSWORD);
    }

    protected ApiClient anonymous() {
        return ApiClient.anonymous(port);
    }
}
