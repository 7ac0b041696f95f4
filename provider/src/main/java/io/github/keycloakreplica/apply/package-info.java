/**
 * The apply engine: turns decoded stream records into the replica's ledgers and Keycloak's own user,
 * credential, role and group rows, in one database transaction with the consumer positions.
 * {@code StreamApplier} is the entry for each kind of batch (consumer deltas, confirmed write-path events,
 * snapshot repairs, full sync chunks); the batch, the user and credential writers, the username hand-over and
 * the guards against forged records ({@code EntitlementGuard}, {@code CredentialSanity}) live beside it.
 *
 * <p>Uses: stream, protocol, link, store. Never Kafka: records arrive already polled, so a batch is a plain
 * database transaction and its failures are the record's or a named infrastructure failure.
 */
package io.github.keycloakreplica.apply;
