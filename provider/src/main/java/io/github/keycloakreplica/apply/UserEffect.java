package io.github.keycloakreplica.apply;

import io.github.keycloakreplica.protocol.UserChange;

import java.util.List;

/** What applying changes did to a subject's Keycloak user, as a sync operation counts it. */
enum UserEffect {
    ADDED, UPDATED, REMOVED;

    /**
     * The effect of one write, or null when it changed nothing: a projection over a user that was right
     * already, or a deletion of a user that did not exist, is no effect.
     */
    static UserEffect of(List<UserChange> changes, UserWriter.Written written) {
        if (written.removed()) {
            return REMOVED;
        }
        if (written.created()) {
            return ADDED;
        }
        boolean incremental = changes.stream().anyMatch(c -> c instanceof UserChange.SetAttribute || c instanceof UserChange.SetCredentials);
        return incremental || !written.corrected().isEmpty() ? UPDATED : null;
    }

    /** Two effects on one subject within a batch, in order: created then changed is still an addition. */
    UserEffect then(UserEffect later) {
        if (later == REMOVED) {
            return this == ADDED ? null : REMOVED;
        }
        return this == UPDATED ? later : this;
    }
}
