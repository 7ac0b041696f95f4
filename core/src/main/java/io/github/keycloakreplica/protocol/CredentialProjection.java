package io.github.keycloakreplica.protocol;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Which of a subject's credential facts Keycloak's credential table holds: every present credential,
 * except that of several present passwords only one. Keycloak signs a person in with the first password
 * credential it reads, so a second one would be ignored at best; the authority may still have two for a
 * while (it replaces a password by a new credential id, then revokes the old one, and the two topics'
 * events arrive in any order). The one shown is the newest by the authority's {@code createdDate}, then
 * the greatest id: a choice made from the ledger alone, so every arrival order ends with the same one,
 * and revoking it brings the next one back. Pure: the same ledger always gives the same projection.
 */
public final class CredentialProjection {

    public static final String PASSWORD = "password";

    /** Newest first: the greatest createdDate (absent counts as oldest), then the greatest id. */
    private static final Comparator<Fact> NEWEST_FIRST = Comparator
            .comparingLong((Fact f) -> createdDate(f))
            .thenComparing(Fact::name)
            .reversed();

    private CredentialProjection() {
    }

    /**
     * @param credentials the subject's current credential facts by credential id, revoked ones included
     * @return the credentials Keycloak must hold, by credential id, in id order
     */
    public static Map<String, Fact> of(Map<String, Fact> credentials) {
        Map<String, Fact> shown = new TreeMap<>();
        credentials.forEach((id, fact) -> {
            if (fact.present() && !PASSWORD.equals(type(fact))) {
                shown.put(id, fact);
            }
        });
        password(credentials).ifPresent(fact -> shown.put(fact.name(), fact));
        return shown;
    }

    /** The subject's password as Keycloak holds it, if any is present. */
    public static Optional<Fact> password(Map<String, Fact> credentials) {
        return credentials.values().stream()
                .filter(Fact::present)
                .filter(fact -> PASSWORD.equals(type(fact)))
                .min(NEWEST_FIRST);
    }

    /** Present credentials the projection leaves out of Keycloak's table (older passwords), by id. */
    public static Map<String, Fact> heldBack(Map<String, Fact> credentials) {
        Map<String, Fact> shown = of(credentials);
        Map<String, Fact> held = new LinkedHashMap<>();
        credentials.forEach((id, fact) -> {
            if (fact.present() && !shown.containsKey(id)) {
                held.put(id, fact);
            }
        });
        return held;
    }

    private static String type(Fact fact) {
        return fact.value().path("type").asText(null);
    }

    private static long createdDate(Fact fact) {
        return fact.value().path("createdDate").asLong(Long.MIN_VALUE);
    }
}
