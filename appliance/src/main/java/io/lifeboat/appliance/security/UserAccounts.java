package io.lifeboat.appliance.security;

import java.util.Optional;

import io.lifeboat.appliance.catalog.Timestamps;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Table {@code users} of the catalog. */
@Repository
public class UserAccounts {

    private final JdbcClient jdbc;

    public UserAccounts(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<UserAccount> find(String username) {
        return jdbc.sql("SELECT username, password_hash, role FROM users WHERE username = ?")
                .param(username)
                .query((rs, n) -> new UserAccount(rs.getString(1), rs.getString(2), rs.getString(3)))
                .optional();
    }

    /**
     * Adds a user; false if the name is taken. Appliances sharing one PostgreSQL catalog may race
     * to create the same user at startup: exactly one of them wins.
     */
    public boolean create(UserAccount account) {
        try {
            jdbc.sql("INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)")
                    .params(account.username(), account.passwordHash(), account.role(), Timestamps.utc(Timestamps.now()))
                    .update();
            return true;
        } catch (DuplicateKeyException e) {
            return false;
        }
    }
}
