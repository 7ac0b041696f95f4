package io.github.keycloakreplica.apply;

import io.github.keycloakreplica.protocol.AttributeName;
import io.github.keycloakreplica.protocol.Fact;
import io.github.keycloakreplica.protocol.UserChange;
import io.github.keycloakreplica.store.SubjectRecord;
import io.github.keycloakreplica.store.UnresolvedRows;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;

import java.util.ArrayList;
import java.util.List;

/**
 * Grants what was unresolved and exists by now. A role, client role or group a subject names that the
 * realm does not have (or the stream may not grant) is recorded on the subject and the rest applies; no
 * event arrives when an administrator creates it, so this pass looks again every few seconds.
 */
public final class EntitlementResolution {

    // The engine's log category, which operators' logging configuration names.
    private static final Logger log = Logger.getLogger(StreamApplier.class);

    private final ApplyTarget target;

    public EntitlementResolution(ApplyTarget target) {
        this.target = target;
    }

    /**
     * Re-applies the entitlement attributes (realm roles, client roles, groups) of every subject with
     * unresolved entitlements, in the caller's transaction. Subjects that are no longer users have theirs
     * cleared.
     *
     * @return how many subjects had everything resolved
     */
    public int resolve(KeycloakSession session) {
        return KeycloakBatchMode.run(session, () -> resolveInBatch(session));
    }

    private int resolveInBatch(KeycloakSession session) {
        ApplyBatch batch = new ApplyBatch(session, target, ApplyMode.EVENTS);
        List<String> names = UnresolvedRows.of(session).subjects(target.componentId());
        if (names.isEmpty()) {
            return 0;
        }
        batch.load(names, List.of());
        int resolved = 0;
        for (SubjectRecord subject : batch.subjects.values()) {
            if (!subject.ledger().live()) {
                continue;
            }
            List<UserChange> changes = subject.ledger().current(Fact.Kind.ATTRIBUTE).values().stream()
                    .filter(f -> AttributeName.of(f.name()).isEntitlement())
                    .map(f -> (UserChange) new UserChange.SetAttribute(f))
                    .toList();
            List<String> notes = new ArrayList<>();
            try {
                batch.write(subject, changes, true, List.of(), notes);
            } catch (EventRejectedException e) {
                log.warnf("replica %s: cannot grant the entitlements of subject %s: %s", target.componentId(), subject.subject(),
                        e.getMessage());
                continue;
            }
            if (batch.stillUnresolved(subject.subject()) == 0) {
                resolved++;
                log.infof("replica %s: every entitlement of subject %s is granted now", target.componentId(), subject.subject());
            }
        }
        batch.finish();
        return resolved;
    }
}
