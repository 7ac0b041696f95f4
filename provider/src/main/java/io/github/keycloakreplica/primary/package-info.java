/**
 * The Keycloak glue of a primary realm: the SPI factories that tie the publisher (its records in the database)
 * and the kafka package's relay to a realm. {@code PublisherPageFactory} is the admin console's
 * {@code replica-publisher} page, whose component enables a realm's publisher and holds its settings; it
 * checks them when they are saved, from the console, admin REST or a realm import.
 *
 * <p>Uses: stream, protocol, store, config (realm-file placeholders, the refusal answered as 400), publisher,
 * kafka.
 */
package io.github.keycloakreplica.primary;
