/**
 * The catalog on H2 or PostgreSQL (Flyway, {@code db/migration}): restore points as users see
 * them, kept in step with the chunk store, jobs and their progress, replication state, and the
 * audit log. Repositories over Spring's {@code JdbcClient}; no ORM.
 */
package io.lifeboat.appliance.catalog;
