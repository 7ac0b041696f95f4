package io.github.keycloakreplica.sync;

import io.github.keycloakreplica.protocol.UserChange;

import java.util.List;

/** What applying changes did to a subject's Keycloak user, as a sync operation counts it. */
enum UserEffect {
    ADDED, UPDATED, REMOVED;

    /** The effect of one set of changes, or null when there were none. */
    static UserEffect of(List<UserChange> changes) {
        if (changes.isEmpty()) {
            return null;
        }
        if (changes.stream().anyMatch(c -> c instanceof UserChange.Delete)) {
            return REMOVED;
        }
        return changes.stream().anyMatch(c -> c instanceof UserChange.Create) ? ADDED : UPDATED;
    }

    /** Two effects on one subject within a batch, in order: created then changed is still an addition. */
    UserEffect then(UserEffect later) {
        if (later == REMOVED) {
            return this == ADDED ? null : REMOVED;
        }
        return this == UPDATED ? later : this;
    }
}
