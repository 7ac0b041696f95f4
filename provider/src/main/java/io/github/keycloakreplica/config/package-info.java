/**
 * A replica component's settings: the property list the admin console shows ({@code ReplicaConfigProperties}),
 * their parsed and checked form ({@code ReplicaConfig}, {@code WritePathSettings}), and which of a realm's
 * components are replica components ({@code ReplicaComponents}). The Kafka client properties are kept as given
 * here and checked by the kafka package, which knows Kafka's configuration.
 *
 * <p>Uses: stream, protocol, link, store, apply (the settings of the parts they configure).
 */
package io.github.keycloakreplica.config;
