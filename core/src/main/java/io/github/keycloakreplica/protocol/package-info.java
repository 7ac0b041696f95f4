/**
 * The apply rules, pure: a subject's {@code Ledger} of per-attribute and per-credential versions, the
 * {@code VersionRule} that decides what an arriving fact does (apply, ignore as stale or duplicate, buffer behind a
 * gap), {@code SubjectApply} for one subject's batch, {@code UserChange} for what Keycloak's tables must end as,
 * and {@code CredentialProjection} for which ledger credentials Keycloak holds. Whatever order records arrive
 * in, the same ledger results; the property tests ({@code ConvergenceProperties}) hold it.
 *
 * <p>Uses: stream. No Keycloak type, no I/O.
 */
package io.github.keycloakreplica.protocol;
