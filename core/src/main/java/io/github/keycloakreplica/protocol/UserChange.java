package io.github.keycloakreplica.protocol;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What Keycloak's copy of a subject must do after facts were applied to its ledger. Keycloak holds a
 * user only while the ledger's username is present; its attributes follow the applied facts and its
 * credentials are always the whole {@link CredentialProjection} of the ledger, so Keycloak ends in the
 * state of the ledger whatever order the facts arrived in, and writing a change twice changes nothing.
 * A credential Keycloak holds under the ledger's id and type is rewritten only when its fact changed:
 * what sign-in itself writes into it (a password re-hashed to the realm's algorithm, an HOTP counter, a
 * WebAuthn signature count) is Keycloak's bookkeeping, and putting an older counter back would make used
 * codes valid again.
 */
public sealed interface UserChange {

    /** The subject became a user: create it with every present attribute and the ledger's credential projection. */
    record Create(Map<String, Fact> attributes, Map<String, Fact> credentials) implements UserChange {
    }

    /** The subject stopped being a user (deleted upstream). */
    record Delete() implements UserChange {
    }

    /** One attribute of a user changed; an absent value removes it. */
    record SetAttribute(Fact fact) implements UserChange {
    }

    /**
     * A credential fact changed: the user's credentials must be exactly these (the projection), by
     * credential id; those named in {@code changed} are written anew, the others only when missing.
     */
    record SetCredentials(Map<String, Fact> credentials, Set<String> changed) implements UserChange {
    }

    /**
     * Keycloak's user must equal the whole ledger: created when missing, otherwise compared field by
     * field (attributes, the entitlements the ledger names, credentials) and put right where it differs.
     * For repairs and syncs, which must also mend a user that drifted from its ledger.
     */
    record Project(Map<String, Fact> attributes, Map<String, Fact> credentials, Set<String> changedCredentials) implements UserChange {
    }

    static List<UserChange> between(boolean liveBefore, Ledger after, List<Fact> applied) {
        boolean liveAfter = after.live();
        List<UserChange> changes = new ArrayList<>();
        if (liveBefore && !liveAfter) {
            changes.add(new Delete());
        } else if (!liveBefore && liveAfter) {
            changes.add(new Create(present(after.current(Fact.Kind.ATTRIBUTE)), CredentialProjection.of(after.current(Fact.Kind.CREDENTIAL))));
        } else if (liveAfter) {
            // Only where each fact ended up matters; a username that was absent and present again within
            // one drain never stopped the user from being a user.
            Map<Fact.Key, Fact> last = new LinkedHashMap<>();
            applied.forEach(fact -> last.put(fact.key(), fact));
            Set<String> credentials = new TreeSet<>();
            for (Fact fact : last.values()) {
                if (fact.kind() == Fact.Kind.ATTRIBUTE) {
                    changes.add(new SetAttribute(fact));
                } else {
                    credentials.add(fact.name());
                }
            }
            if (!credentials.isEmpty()) {
                changes.add(new SetCredentials(CredentialProjection.of(after.current(Fact.Kind.CREDENTIAL)), credentials));
            }
        }
        return changes;
    }

    /**
     * What makes Keycloak's user equal the ledger as a whole: project a live subject (every attribute fact,
     * absent ones included, so that what the ledger removed is removed), delete any other's user.
     *
     * @param applied the facts that just changed, whose credentials are written anew
     */
    static UserChange projection(Ledger ledger, Collection<Fact> applied) {
        if (!ledger.live()) {
            return new Delete();
        }
        Set<String> changed = new TreeSet<>();
        applied.stream().filter(f -> f.kind() == Fact.Kind.CREDENTIAL).forEach(f -> changed.add(f.name()));
        return new Project(ledger.current(Fact.Kind.ATTRIBUTE), CredentialProjection.of(ledger.current(Fact.Kind.CREDENTIAL)), changed);
    }

    private static Map<String, Fact> present(Map<String, Fact> facts) {
        facts.values().removeIf(f -> !f.present());
        return facts;
    }
}
