/**
 * The Keycloak glue of a primary realm: the SPI factories that tie the publisher (its records in the database)
 * and the kafka package's relay to a realm. {@code PublisherPageFactory} is the admin console's
 * {@code replica-publisher} page, whose component enables a realm's publisher and holds its settings; it
 * checks them when they are saved, from the console, admin REST or a realm import. {@code WritePathResource} is the
 * realm's credential write path for its sites, which {@code CredentialWrites} carries out through Keycloak's credential
 * manager and versions in the request's transaction; it never touches Kafka (ArchitectureTest holds that).
 *
 * <p>Uses: stream, protocol, store, apply (the checks of a stored credential), config (realm-file placeholders, the
 * refusal answered as 400), publisher, kafka.
 */
package io.github.keycloakreplica.primary;
