/**
 * The replica's own tables in Keycloak's database: JPA entities registered through {@code JpaEntityProvider},
 * the Liquibase changelogs, and one {@code *Rows} class per table group (subjects and their ledgers, event log,
 * link, operations, dead letters, exposure, positions) that reads and writes them in the caller's transaction.
 * {@code AfterCommit} is the one way work waits for that transaction to commit.
 *
 * <p>Uses: stream, protocol, link. No Kafka, no Keycloak user model: Keycloak's own tables are apply's business.
 */
package io.github.keycloakreplica.store;
