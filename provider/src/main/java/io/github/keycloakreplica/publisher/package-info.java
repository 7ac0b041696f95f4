/**
 * The primary side without Kafka: what a primary realm's publisher records and versions in the database, and
 * its settings. {@code PublisherComponents} says which component of a realm is its publisher (the capture on
 * request threads asks it for every event), {@code PublisherConfig} reads and checks the settings, and
 * {@code PublisherConfigProperties} is how the admin console shows them; {@code PublisherMetrics} holds the
 * realm's meters, which the relay thread (in kafka) keeps current. Request threads run this package, so
 * it never reaches Kafka; the kafka package relays what it recorded.
 *
 * <p>Uses: stream, protocol, store. No Kafka client, no config package (the replica's settings).
 */
package io.github.keycloakreplica.publisher;
