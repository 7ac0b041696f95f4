/**
 * The {@code replica} user federation provider: its factory (component validation, lifecycle, the console's
 * Sync all users and Sync changed users buttons, the runtime of each component), the provider Keycloak asks
 * for users, and the read-only view of a replicated person whose credential manager goes through the gate.
 *
 * <p>Uses: every package below it, kafka included (the factory starts each component's runtime); the provider
 * and the user view themselves never reach kafka (ArchitectureTest holds it).
 */
package io.github.keycloakreplica.storage;
