package io.github.keycloakreplica.apply;

import io.github.keycloakreplica.protocol.UserChange;
import io.github.keycloakreplica.store.EventLogLine;
import io.github.keycloakreplica.store.EventLogRows;
import io.github.keycloakreplica.store.ReplicaStore;
import io.github.keycloakreplica.store.SubjectRecord;
import org.jboss.logging.Logger;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.UserModel;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Acts on the users of subjects the upstream no longer has: an orphan reconciliation has read the snapshot
 * topics completely and found no record of them. No event says so, which is why this is not the stream's
 * engine but an operation of its own.
 */
public final class OrphanReconciliation {

    // The engine's log category, which operators' logging configuration names.
    private static final Logger log = Logger.getLogger(StreamApplier.class);

    private final ApplyTarget target;

    public OrphanReconciliation(ApplyTarget target) {
        this.target = target;
    }

    /** A replica user whose subject the upstream's snapshot topics no longer hold, and what was done to it. */
    public record Orphan(String subject, String userId, String username) {
    }

    /**
     * Removes or disables the users of these subjects, in the caller's transaction. Removal forgets the
     * subject too; disabling leaves its ledger as it was, so the upstream's next word on it (should it
     * come) applies as usual.
     *
     * @param reason written to each disabled subject's event log
     */
    public List<Orphan> reconcile(KeycloakSession session, Collection<String> subjects, boolean remove, String reason) {
        return KeycloakBatchMode.run(session, () -> {
            ApplyBatch batch = new ApplyBatch(session, target, ApplyMode.EVENTS);
            batch.load(subjects, List.of());
            List<Orphan> done = new ArrayList<>();
            List<String> forgotten = new ArrayList<>();
            for (SubjectRecord subject : batch.subjects.values()) {
                if (subject.row() == null || !subject.row().isLive()) {
                    continue;
                }
                UserModel user = batch.writer.find(subject.userId());
                done.add(new Orphan(subject.subject(), subject.userId(), user == null ? null : user.getUsername()));
                if (remove) {
                    batch.writer.apply(subject.subject(), subject.userId(), List.of(new UserChange.Delete()));
                    forgotten.add(subject.row().getId());
                } else if (user != null) {
                    user.setEnabled(false);
                    EventLogRows.of(session).append(subject.row(), EventLogLine.note("orphan", "DISABLED", reason), batch.now);
                }
            }
            session.getProvider(JpaConnectionProvider.class).getEntityManager().flush();
            ReplicaStore.of(session).forgetSubjects(forgotten);
            log.infof("replica %s: %s %d orphan(s): %s", target.componentId(), remove ? "removed" : "disabled", done.size(), reason);
            return done;
        });
    }
}
