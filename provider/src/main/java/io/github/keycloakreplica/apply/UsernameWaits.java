package io.github.keycloakreplica.apply;

import io.github.keycloakreplica.protocol.AttributeName;
import io.github.keycloakreplica.protocol.Fact;
import io.github.keycloakreplica.protocol.Outcome;
import io.github.keycloakreplica.protocol.UserChange;
import io.github.keycloakreplica.store.SubjectRecord;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Subjects of one apply transaction that wait for a username. A subject whose new username another
 * subject still holds here (a move across partitions that arrived reuse-first) waits: its ledger moves
 * on, its Keycloak user keeps its old username (or is not created yet), and the moment the holder lets go
 * of the name in any transaction the subject is projected whole. Who holds what is {@link UsernameClaims}'
 * business; rotations among waiting subjects are found by {@link UsernameCycles}. It writes through its
 * batch, as a waiting subject's user is written like any other.
 */
final class UsernameWaits {

    private static final Logger log = Logger.getLogger(StreamApplier.class);

    /** Rounds of giving freed usernames to the subjects waiting for them: each round can free the next name of a chain. */
    private static final int RELEASE_ROUNDS = 20;

    private final ApplyBatch batch;

    UsernameWaits(ApplyBatch batch) {
        this.batch = batch;
    }

    /**
     * The changes of a subject that can be written now: all of them, or, when another subject of the
     * component holds the username they give, everything but the username (the subject then waits). A
     * waiting subject whose changes pass has its username, or is deleted, and waits no more.
     *
     * @throws EventRejectedException when the changes can never apply here
     */
    List<UserChange> writable(SubjectRecord subject, List<UserChange> changes, List<Fact> applied, List<String> notes) {
        boolean parked = subject.parked();
        UsernameHeldException held = null;
        try {
            batch.writer.check(subject.userId(), changes);
        } catch (UsernameHeldException e) {
            held = e;
            changes = withoutUsername(subject, applied);
            batch.writer.check(subject.userId(), changes);
        }
        if (held != null) {
            park(subject, held, notes);
        } else if (parked && !subject.ledger().live()) {
            notes.add("deleted while it waited for username '" + subject.parkedUsername() + "'");
            subject.unpark();
        } else if (parked) {
            notes.add("username '" + subject.parkedUsername() + "' is free now: the user has it");
            log.infof("replica %s: username '%s' is free now; subject %s has it", batch.componentId(), subject.parkedUsername(),
                    subject.subject());
            subject.unpark();
        }
        return changes;
    }

    /** Projects subjects waiting for a username again, for those whose username may be free by now. */
    int retryParked(Collection<String> names, String origin) {
        int freed = 0;
        for (String name : names) {
            SubjectRecord subject = batch.subjects.get(name);
            if (subject != null && subject.parked() && retry(subject, origin)) {
                freed++;
            }
        }
        return freed;
    }

    /**
     * Breaks a rotation of usernames: the first member's user moves aside to a name nobody can hold, and at
     * {@link #handOver} each member, in turn, takes the name it waits for.
     *
     * @param cycle loaded subjects in waiting order, each waiting for the next one's username
     */
    void breakCycle(List<String> cycle, String origin) {
        SubjectRecord first = batch.subjects.get(cycle.get(0));
        String released = batch.writer.moveAside(first.userId());
        if (released == null) {
            return;
        }
        String note = "usernames rotated among subjects " + String.join(", ", cycle) + ": user moved aside so that each can take its "
                + "new username, '" + released + "' first";
        log.infof("replica %s: %s", batch.componentId(), note);
        batch.logLine(first.subject(), new LogLine(null, "username", null, Outcome.APPLIED, note, origin));
    }

    /**
     * Gives the usernames this transaction freed to the subjects waiting for them, here or in the database;
     * a chain of moves (C takes B's old name, B takes A's) resolves in one transaction.
     */
    void handOver() {
        Set<String> handled = new HashSet<>();
        for (int round = 0; round < RELEASE_ROUNDS; round++) {
            Set<String> released = new LinkedHashSet<>(batch.writer.releasedUsernames());
            released.removeAll(handled);
            if (released.isEmpty()) {
                return;
            }
            handled.addAll(released);
            Set<String> waiting = new LinkedHashSet<>();
            batch.subjects.values().stream().filter(s -> s.parked() && released.contains(s.parkedUsername()))
                    .forEach(s -> waiting.add(s.subject()));
            List<String> stored = batch.subjectRows.parkedOn(batch.componentId(), released).stream()
                    .filter(s -> !batch.subjects.containsKey(s)).toList();
            if (!stored.isEmpty()) {
                batch.load(stored, List.of());
                waiting.addAll(stored);
            }
            for (String name : waiting) {
                SubjectRecord subject = batch.subjects.get(name);
                if (subject.parked() && released.contains(subject.parkedUsername())) {
                    retry(subject, "username let go of");
                }
            }
        }
    }

    /** Projects a waiting subject whole again; true when it has its username now. */
    private boolean retry(SubjectRecord subject, String origin) {
        String username = subject.parkedUsername();
        List<String> notes = new ArrayList<>();
        try {
            batch.write(subject, List.of(), true, List.of(), notes);
        } catch (EventRejectedException e) {
            log.warnf("replica %s: subject %s still cannot have username '%s': %s", batch.componentId(), subject.subject(), username,
                    e.getMessage());
            return false;
        }
        if (subject.parked()) {
            return false;
        }
        batch.logLine(subject.subject(), new LogLine(null, "username", null, Outcome.APPLIED, String.join("; ", notes), origin));
        return true;
    }

    /** Everything of a waiting subject but its username, for a user that exists; nothing for one that does not. */
    private List<UserChange> withoutUsername(SubjectRecord subject, List<Fact> applied) {
        UserChange whole = UserChange.projection(subject.ledger(), applied);
        if (!(whole instanceof UserChange.Project project) || batch.writer.find(subject.userId()) == null) {
            return List.of();
        }
        Map<String, Fact> attributes = new LinkedHashMap<>(project.attributes());
        attributes.remove(AttributeName.Kind.USERNAME.reserved());
        return List.of(new UserChange.Project(attributes, project.credentials(), project.changedCredentials()));
    }

    private void park(SubjectRecord subject, UsernameHeldException held, List<String> notes) {
        String holder = batch.subjects.values().stream().filter(s -> s.userId().equals(held.holderUserId())).map(SubjectRecord::subject)
                .findFirst()
                .or(() -> batch.subjectRows.nameOfUser(batch.componentId(), held.holderUserId()))
                .orElse(held.holderUserId());
        boolean again = held.username().equals(subject.parkedUsername());
        subject.park(held.username(), holder, batch.now);
        notes.add("username '" + held.username() + "' waits for subject " + holder + " to let go of it");
        if (!again) {
            log.infof("replica %s: subject %s was given username '%s', which subject %s still holds here; it waits until %s's rename or "
                    + "deletion arrives (or is repaired from the snapshot topics after the gap timeout)", batch.componentId(), subject.subject(),
                    held.username(), holder, holder);
        }
    }
}
