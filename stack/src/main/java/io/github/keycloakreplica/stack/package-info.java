/**
 * Starts a real local stack for integration tests, the demo and benchmarks: a single-node KRaft Kafka broker
 * and Keycloak servers running our provider, each an OS process on free loopback ports under a per-run work
 * directory ({@code -Dreplica.stack.work.dir}, default {@code target/stack}).
 *
 * <p>Tests talk to {@link io.github.keycloakreplica.stack.KafkaBroker} and
 * {@link io.github.keycloakreplica.stack.KeycloakServer}; the process implementations are one backend. A
 * container backend (Testcontainers, for machines with Docker) can implement the same interfaces beside them.
 * {@link io.github.keycloakreplica.stack.Stack} wires a broker and N servers together.
 * {@link io.github.keycloakreplica.stack.LocalOpenLdap} starts a throwaway OpenLDAP slapd, the directory of the benchmarks' LDAP baseline.
 */
package io.github.keycloakreplica.stack;
