/**
 * The stream contract as Java: the event records (identity and credential deltas, snapshots, heartbeats, the
 * write path's change requests and confirmations), their strict JSON codec checked against the JSON Schemas in
 * {@code schema/}, the topic names, the Kafka connection settings a replica and a publisher are both given
 * ({@code BootstrapServers}, {@code KafkaPropertiesText}), and the helpers that keep secrets and forged text out of logs
 * ({@code SecretRedaction}, {@code LogSafe}). Everything from Kafka or from the write path enters the replica
 * through {@code StreamCodec} or {@code WritePathCodec} and is refused there with a reason when malformed.
 *
 * <p>Uses: no project package. No Keycloak type, no I/O beyond reading its own schemas.
 */
package io.github.keycloakreplica.stream;
