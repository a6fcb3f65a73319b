package io.lifeboat.appliance.security;

import java.net.InetAddress;
import java.net.UnknownHostException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * The last line of a start: where the console is and whom to log in as. Written once the
 * appliance takes requests, so the address works when it appears.
 */
@Component
class ConsoleBanner {

    private static final Logger log = LoggerFactory.getLogger(ConsoleBanner.class);

    private final AdminAccount admin;
    private final Environment env;

    ConsoleBanner(AdminAccount admin, Environment env) {
        this.admin = admin;
        this.env = env;
    }

    @EventListener
    void ready(ApplicationReadyEvent event) {
        if (!(event.getApplicationContext() instanceof WebServerApplicationContext web) || web.getWebServer() == null) {
            return;
        }
        int port = web.getWebServer().getPort();
        String scheme = env.getProperty("server.ssl.enabled", Boolean.class, false) ? "https" : "http";
        String host = hostName();
        log.info("Lifeboat console: {}://localhost:{}/{}  log in as {}, password: {}", scheme, port,
                host == null ? "" : " (from another machine " + scheme + "://" + host + ":" + port + "/)",
                AdminAccount.USERNAME, admin.passwordHint());
    }

    private static String hostName() {
        try {
            String name = InetAddress.getLocalHost().getHostName();
            return name.isBlank() || name.equals("localhost") ? null : name;
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
