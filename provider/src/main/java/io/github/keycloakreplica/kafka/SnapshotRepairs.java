package io.github.keycloakreplica.kafka;

import io.github.keycloakreplica.apply.FailureText;
import io.github.keycloakreplica.apply.StreamApplier;
import io.github.keycloakreplica.apply.TransientFailure;
import io.github.keycloakreplica.protocol.Outcome;
import io.github.keycloakreplica.stream.StreamEvent;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.KeycloakModelUtils;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Repairs subjects from their snapshot records so that one subject the database refuses cannot stop a
 * bootstrap, a gap repair or a sync: a chunk is repaired in one transaction; when that fails for a
 * reason that is the data's, each subject is repaired alone (twice, in two transactions) and a subject
 * that still fails has its snapshot records dead-lettered. A failure of the infrastructure (see
 * {@link TransientFailure}) is never the data's: it leaves here for the caller to wait out.
 */
final class SnapshotRepairs {

    private static final Logger log = Logger.getLogger(SnapshotRepairs.class);

    /** One way to repair a chunk in a transaction, with whatever else must commit with it. */
    interface Attempt {
        StreamApplier.BatchResult run(KeycloakSession session, Map<String, List<StreamEvent>> chunk);
    }

    private final String name;
    private final KeycloakSessionFactory sessionFactory;
    private final StreamApplier applier;

    SnapshotRepairs(String name, KeycloakSessionFactory sessionFactory, StreamApplier applier) {
        this.name = name;
        this.sessionFactory = sessionFactory;
        this.applier = applier;
    }

    /**
     * @param attempts    ways to repair the whole chunk, tried in order (a fast one first, then a careful one)
     * @param reason      why the subjects are repaired, for their event logs
     * @param alsoCommit  what must commit in the transaction of each repair (progress of an operation), with its result
     * @return the sum of what every committed transaction did; a subject dead-lettered counts as one rejected
     */
    StreamApplier.BatchResult repair(Map<String, List<StreamEvent>> chunk, List<Attempt> attempts, String reason,
                                     BiConsumer<KeycloakSession, StreamApplier.BatchResult> alsoCommit) {
        for (Attempt attempt : attempts) {
            try {
                return inTransaction(attempt, chunk, alsoCommit);
            } catch (RuntimeException e) {
                if (TransientFailure.isTransient(e)) {
                    throw e;
                }
                log.debugf(e, "%s: repairing %d subjects failed as a whole", name, chunk.size());
            }
        }
        StreamApplier.BatchResult total = StreamApplier.BatchResult.NOTHING;
        for (Map.Entry<String, List<StreamEvent>> subject : chunk.entrySet()) {
            Map<String, List<StreamEvent>> alone = new LinkedHashMap<>();
            alone.put(subject.getKey(), subject.getValue());
            total = total.plus(repairAlone(alone, reason, alsoCommit));
        }
        return total;
    }

    /** The same subjects with the careful repair only, and nothing else to commit with it. */
    StreamApplier.BatchResult repair(Map<String, List<StreamEvent>> chunk, String reason) {
        return repair(chunk, List.of(careful(reason)), reason, (session, result) -> {
        });
    }

    Attempt careful(String reason) {
        return (session, chunk) -> applier.repair(session, chunk, reason);
    }

    private StreamApplier.BatchResult repairAlone(Map<String, List<StreamEvent>> alone, String reason,
                                                  BiConsumer<KeycloakSession, StreamApplier.BatchResult> alsoCommit) {
        RuntimeException failure = null;
        for (int attempt = 1; attempt <= 2; attempt++) {
            try {
                return inTransaction(careful(reason), alone, alsoCommit);
            } catch (RuntimeException e) {
                if (TransientFailure.isTransient(e)) {
                    throw e;
                }
                failure = e;
            }
        }
        return deadLetter(alone, reason, failure, alsoCommit);
    }

    private StreamApplier.BatchResult deadLetter(Map<String, List<StreamEvent>> alone, String reason, RuntimeException failure,
                                                 BiConsumer<KeycloakSession, StreamApplier.BatchResult> alsoCommit) {
        Map.Entry<String, List<StreamEvent>> subject = alone.entrySet().iterator().next();
        String why = "Repairing the subject from its snapshot (" + reason + ") failed: " + FailureText.of(failure);
        log.warnf(failure, "%s: %s", name, why);
        StreamApplier.BatchResult rejected = new StreamApplier.BatchResult(
                Map.of(Outcome.REJECTED, 1), List.of(), 0, 0, 0);
        KeycloakModelUtils.runJobInTransaction(sessionFactory, session -> {
            applier.deadLetterSubject(session, subject.getKey(), subject.getValue(), why);
            alsoCommit.accept(session, rejected);
        });
        return rejected;
    }

    private StreamApplier.BatchResult inTransaction(Attempt attempt, Map<String, List<StreamEvent>> chunk,
                                                    BiConsumer<KeycloakSession, StreamApplier.BatchResult> alsoCommit) {
        return KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory, session -> {
            StreamApplier.BatchResult result = attempt.run(session, chunk);
            alsoCommit.accept(session, result);
            return result;
        });
    }
}
