package io.lifeboat.appliance.security;

import java.security.SecureRandom;
import java.util.Base64;

import jakarta.annotation.PostConstruct;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;

/**
 * Creates the {@value #USERNAME} user on the first start, before the web server takes requests.
 * Its password is {@code LIFEBOAT_ADMIN_PASSWORD} if set, else a random one written to the log
 * once, at this start only: the catalog keeps just the bcrypt hash, so it cannot be shown again.
 * Once the user exists, later starts leave it alone, whatever the environment says.
 */
@Component
@DependsOnDatabaseInitialization
class AdminAccount {

    static final String USERNAME = "admin";

    private static final Logger log = LoggerFactory.getLogger(AdminAccount.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final UserAccounts accounts;
    private final PasswordEncoder encoder;
    private final String configuredPassword;
    private volatile String passwordHint = "the one set when it was created";

    AdminAccount(UserAccounts accounts, PasswordEncoder encoder,
                 @Value("${lifeboat.admin-password:}") String configuredPassword) {
        this.accounts = accounts;
        this.encoder = encoder;
        this.configuredPassword = configuredPassword;
    }

    @PostConstruct
    void createOnFirstStart() {
        if (accounts.find(USERNAME).isPresent()) {
            return;
        }
        boolean generated = configuredPassword.isBlank();
        String password = generated ? randomPassword() : configuredPassword;
        if (!accounts.create(new UserAccount(USERNAME, encoder.encode(password), "ADMIN"))) {
            return; // another appliance on the same catalog was first
        }
        passwordHint = generated ? "the one logged above (shown only this once)" : "the one in LIFEBOAT_ADMIN_PASSWORD";
        if (generated) {
            log.warn("Created user '{}'; admin password: {}  (shown only this once: store it now)", USERNAME, password);
        } else {
            log.info("Created user '{}' with the password from LIFEBOAT_ADMIN_PASSWORD", USERNAME);
        }
    }

    /** Where the person starting the appliance finds the admin's password, for the console's banner. */
    String passwordHint() {
        return passwordHint;
    }

    private static String randomPassword() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
