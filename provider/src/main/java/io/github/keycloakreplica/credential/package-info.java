/**
 * The fail-closed credential gate and the authoritative write path. Every credential change of a replicated
 * person, on any Keycloak path (account console, admin REST, required actions, reset credentials), asks
 * {@code CredentialGate}, which reads the link record from the database and refuses unless CONNECTED with a
 * write path; what it lets through goes to the authority ({@code WritePathClient}) and only what the authority
 * confirms is stored, through the apply engine.
 *
 * <p>Uses: stream, protocol, link, store, apply, config. Never the kafka package: a credential change reads the
 * database and calls the write path over HTTPS, nothing else.
 */
package io.github.keycloakreplica.credential;
