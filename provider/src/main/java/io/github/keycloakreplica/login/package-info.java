/**
 * The sign-in hooks: the gap guard authenticator (refuses a sign-in while an access-critical change of the
 * person waits behind a gap, if the component says so), the login forms provider that tells people the site is
 * working without its link, and the listener that records sign-ins made while severed.
 *
 * <p>Uses: stream, protocol, link, store, config, credential. Never the kafka package: a sign-in reads the
 * database only, so a Kafka outage never takes a login down.
 */
package io.github.keycloakreplica.login;
