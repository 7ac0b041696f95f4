package io.github.keycloakreplica.protocol;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What Keycloak's copy of a subject must do after facts were applied to its ledger. Keycloak holds a
 * user only while the ledger's username is present; everything else follows the applied facts, so
 * Keycloak ends in the state of the ledger whatever order the facts arrived in.
 */
public sealed interface UserChange {

    /** The subject became a user: create it with every present attribute and credential of the ledger. */
    record Create(Map<String, Fact> attributes, Map<String, Fact> credentials) implements UserChange {
    }

    /** The subject stopped being a user (deleted upstream). */
    record Delete() implements UserChange {
    }

    /** One attribute of a user changed; an absent value removes it. */
    record SetAttribute(Fact fact) implements UserChange {
    }

    /** One credential of a user was created or changed. */
    record PutCredential(Fact fact) implements UserChange {
    }

    /** One credential of a user was revoked. */
    record RemoveCredential(String credentialId) implements UserChange {
    }

    static List<UserChange> between(boolean liveBefore, Ledger after, List<Fact> applied) {
        boolean liveAfter = after.live();
        List<UserChange> changes = new ArrayList<>();
        if (liveBefore && !liveAfter) {
            changes.add(new Delete());
        } else if (!liveBefore && liveAfter) {
            changes.add(new Create(present(after.current(Fact.Kind.ATTRIBUTE)), present(after.current(Fact.Kind.CREDENTIAL))));
        } else if (liveAfter) {
            // Only where each fact ended up matters; a username that was absent and present again within
            // one drain never stopped the user from being a user.
            Map<Fact.Key, Fact> last = new LinkedHashMap<>();
            applied.forEach(fact -> last.put(fact.key(), fact));
            for (Fact fact : last.values()) {
                if (fact.kind() == Fact.Kind.ATTRIBUTE) {
                    changes.add(new SetAttribute(fact));
                } else if (fact.present()) {
                    changes.add(new PutCredential(fact));
                } else {
                    changes.add(new RemoveCredential(fact.name()));
                }
            }
        }
        return changes;
    }

    private static Map<String, Fact> present(Map<String, Fact> facts) {
        facts.values().removeIf(f -> !f.present());
        return facts;
    }
}
