/**
 * Every Kafka client of the replica, on background threads only: the stream consumer (poll, apply, commit
 * with the positions in the database), the link watcher (heartbeats into the link record), the snapshot
 * reader for repairs and full syncs, the operation runner, periodic maintenance, and {@code ReplicaRuntime},
 * which starts and stops them per component. The Kafka client properties an administrator may set are
 * checked here ({@code KafkaPropertyAllowlist}).
 *
 * <p>Uses: stream, protocol, link, store, apply, sync, config. Nothing outside this package touches the Kafka
 * client.
 */
package io.github.keycloakreplica.kafka;
