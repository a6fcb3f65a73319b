package io.lifeboat.appliance.security;

/**
 * A row of the {@code users} table.
 *
 * @param passwordHash bcrypt, never the password
 * @param role         without Spring's {@code ROLE_} prefix, e.g. {@code ADMIN}
 */
public record UserAccount(String username, String passwordHash, String role) {

    @Override
    public String toString() {
        return "UserAccount[" + username + ", " + role + "]";
    }
}
