/**
 * A replica component's settings: the property list the admin console shows ({@code ReplicaConfigProperties}),
 * their parsed and checked form ({@code ReplicaConfig}, {@code WritePathSettings}), and which of a realm's
 * components are replica components ({@code ReplicaComponents}). The Kafka client properties are kept as given
 * here and checked by the kafka package, which knows Kafka's configuration. What any component of ours does
 * with its settings as saved is here too: realm-file placeholders ({@code RealmFilePlaceholders}) and the
 * refusal answered as 400 wherever Keycloak saves a component ({@code SettingsRefusedException}); the primary's
 * publisher page uses both.
 *
 * <p>Uses: stream, protocol, link, store, apply (the settings of the parts they configure).
 */
package io.github.keycloakreplica.config;
