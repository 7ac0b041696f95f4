/**
 * Every Kafka client of the replica, on background threads only: the stream consumer (poll, apply, commit
 * with the positions in the database), the link watcher (heartbeats into the link record), the snapshot
 * reader for repairs and full syncs, the operation runner, periodic maintenance, and {@code ReplicaRuntime},
 * which starts and stops them per component; and the primary side's clients, which relay what the publisher
 * recorded. The Kafka client properties an administrator may set are checked here, on rules every client of
 * ours shares ({@code ClientPropertyRules}): the replica's consumers' ({@code KafkaPropertyAllowlist},
 * {@code ConsumerSettings}) and the publisher's producer's ({@code ProducerSettings}).
 *
 * <p>Uses: stream, protocol, link, store, apply, sync, config, publisher. Nothing outside this package touches
 * the Kafka client.
 */
package io.github.keycloakreplica.kafka;
