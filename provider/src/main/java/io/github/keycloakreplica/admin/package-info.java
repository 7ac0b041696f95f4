/**
 * The admin REST resource under {@code /admin/realms/{realm}/replica}: link, lag, subjects, dead letters and
 * sync operations, described by {@code openapi/replica-admin.openapi.json}. It reads the database and records
 * operations for the runner; it never talks to Kafka itself. A primary realm's publisher answers under
 * {@code /admin/realms/{realm}/replica-publisher}, described by {@code openapi/replica-publisher-admin.openapi.json}.
 *
 * <p>Uses: stream, protocol, link, store, apply, sync, config, credential, storage.
 */
package io.github.keycloakreplica.admin;
