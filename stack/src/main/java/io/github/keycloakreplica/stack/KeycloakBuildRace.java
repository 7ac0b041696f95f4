package io.github.keycloakreplica.stack;

/**
 * Keycloak 26.7's build can fail at random when a provider brings JPA entities, as ours does: one Quarkus build
 * step adds the extension's entities to the persistence unit while another, running in parallel, copies the
 * same list, and the copy throws {@code ConcurrentModificationException} (keycloak/keycloak#47482, fixed in
 * 26.8.0). The failure is the build's, not the provider's, and a second attempt runs the steps again; the
 * stack tries once more when, and only when, a start failed this way.
 */
final class KeycloakBuildRace {

    private KeycloakBuildRace() {
    }

    /** Whether the log of a failed start shows the build race and nothing else is known to be wrong. */
    static boolean failedWith(String startLog) {
        return startLog.contains("contributePersistenceXmlToJpaModel") && startLog.contains("java.util.ConcurrentModificationException");
    }
}
