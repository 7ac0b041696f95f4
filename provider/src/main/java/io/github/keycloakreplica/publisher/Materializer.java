package io.github.keycloakreplica.publisher;

import io.github.keycloakreplica.protocol.PublishedLedger;
import io.github.keycloakreplica.protocol.PublishedLedger.Publication;
import io.github.keycloakreplica.store.PublisherIntentEntity;
import io.github.keycloakreplica.store.PublisherRelayEntity;
import io.github.keycloakreplica.store.PublisherRows;
import io.github.keycloakreplica.stream.CredentialRevocation;
import io.github.keycloakreplica.stream.CredentialUpsert;
import io.github.keycloakreplica.stream.CredentialsSnapshot;
import io.github.keycloakreplica.stream.Envelope;
import io.github.keycloakreplica.stream.EventType;
import io.github.keycloakreplica.stream.IdentityDeletion;
import io.github.keycloakreplica.stream.IdentitySnapshot;
import io.github.keycloakreplica.stream.IdentityUpsert;
import io.github.keycloakreplica.stream.InvalidEventException;
import io.github.keycloakreplica.stream.LogSafe;
import io.github.keycloakreplica.stream.ReplicatedCredential;
import io.github.keycloakreplica.stream.StreamCodec;
import io.github.keycloakreplica.stream.StreamEvent;
import jakarta.persistence.PersistenceException;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Turns what changed in a primary realm into versioned records: for each person named by an intent (or reached by
 * the reconcile), it locks their ledger row, reads them from the database, lets {@link PublishedLedger} version the
 * difference, and appends the deltas and the new snapshots to the outbox, all in the caller's transaction. A person
 * whose state equals what was published produces nothing, so a person compared twice is versioned once.
 *
 * <p>A person the stream contract cannot carry (every record is checked against the schemas the replicas check it
 * against, before anything is written) or that could not be versioned for a reason of their own is <em>set aside</em>:
 * nothing of them is published, their ledger stays as it was, the relay row counts and names them, and the next change
 * or reconcile compares them again. Retrying them in place would stop every later change of the realm behind them;
 * publishing them would make every replica dead-letter them. A database failure is not the person's: it fails the
 * round, which the relay tries again.
 */
public final class Materializer {

    private static final Logger log = Logger.getLogger(Materializer.class);

    /** Intents taken per round; a round is one database transaction. */
    public static final int INTENTS_PER_ROUND = 200;
    /** People compared per reconcile step, also one transaction. */
    public static final int RECONCILE_STEP = 200;

    private final StreamCodec codec;
    private final Clock clock;

    public Materializer(StreamCodec codec, Clock clock) {
        this.codec = codec;
        this.clock = clock;
    }

    /** What became of one person compared with what was published. */
    public enum Outcome {
        UNCHANGED, VERSIONED, SET_ASIDE
    }

    /** What one round did. */
    public record Round(int intents, int people, int changed, int setAside, boolean reconcileRequested) {
    }

    /**
     * Takes the realm's oldest intents, materializes the people they name and deletes them. An intent for the whole
     * realm starts a reconcile (see {@link #startReconcile}) instead.
     */
    public Round drainIntents(KeycloakSession session, RealmModel realm, String source) {
        PublisherRows rows = PublisherRows.of(session);
        List<PublisherIntentEntity> intents = rows.oldestIntents(realm.getId(), INTENTS_PER_ROUND);
        if (intents.isEmpty()) {
            return new Round(0, 0, 0, 0, false);
        }
        Set<String> subjects = new LinkedHashSet<>();
        boolean wholeRealm = false;
        for (PublisherIntentEntity intent : intents) {
            if (PublisherIntentEntity.WHOLE_REALM.equals(intent.getSubject())) {
                wholeRealm = true;
            } else {
                subjects.add(intent.getSubject());
            }
        }
        PersonReader reader = new PersonReader(session);
        Tally tally = new Tally();
        for (String subject : subjects) {
            tally.add(materialize(rows, reader, realm, subject, source));
        }
        if (wholeRealm) {
            startReconcile(rows, realm.getId(), "asked: a role, group or client changed for many people");
        }
        rows.deleteIntents(intents.stream().map(PublisherIntentEntity::getId).toList());
        return new Round(intents.size(), subjects.size(), tally.versioned, tally.setAside, wholeRealm);
    }

    /** How long the write path keeps an answer for a site that retries: sites retry within minutes. */
    public static final java.time.Duration WRITE_ANSWERS_KEPT = java.time.Duration.ofDays(7);

    /**
     * Starts comparing every person of the realm with what was published, from the first; restarts one running. Also
     * forgets the write path's answers older than {@link #WRITE_ANSWERS_KEPT}: housekeeping as periodic as the reconcile.
     */
    public void startReconcile(PublisherRows rows, String realmId, String reason) {
        rows.deleteWriteRequestsBefore(realmId, clock.millis() - WRITE_ANSWERS_KEPT.toMillis());
        PublisherRelayEntity relay = rows.lockRelay(realmId);
        relay.setReconcileCursor("");
        relay.setReconcileReason(reason.length() > 64 ? reason.substring(0, 64) : reason);
        relay.setReconcileStartedAt(clock.millis());
        relay.setReconcileEndedAt(null);
        relay.setReconcileScanned(0);
        relay.setReconcileFound(0);
    }

    /** What one reconcile step did; {@code done} when the whole realm has been compared. */
    public record ReconcileStep(int compared, int changed, int setAside, boolean done) {
    }

    private static final class Tally {
        int versioned;
        int setAside;

        void add(Outcome outcome) {
            versioned += outcome == Outcome.VERSIONED ? 1 : 0;
            setAside += outcome == Outcome.SET_ASIDE ? 1 : 0;
        }
    }

    /**
     * Compares the next people of a running reconcile (by user id, from where the last step stopped), then, once
     * every user was compared, the people published as live whose user is gone: deletions no event told of.
     */
    public ReconcileStep reconcileStep(KeycloakSession session, RealmModel realm, String source) {
        PublisherRows rows = PublisherRows.of(session);
        PublisherRelayEntity relay = rows.lockRelay(realm.getId());
        String cursor = relay.getReconcileCursor();
        if (cursor == null) {
            return new ReconcileStep(0, 0, 0, true);
        }
        PersonReader reader = new PersonReader(session);
        List<String> ids = rows.userIdsAfter(realm.getId(), cursor, RECONCILE_STEP);
        Tally tally = new Tally();
        for (String id : ids) {
            tally.add(materialize(rows, reader, realm, id, source));
        }
        boolean done = ids.size() < RECONCILE_STEP;
        if (done) {
            int versionedBefore = tally.versioned;
            for (String gone : rows.liveSubjectsWithoutUser(realm.getId(), RECONCILE_STEP)) {
                tally.add(materialize(rows, reader, realm, gone, source));
            }
            // Ends when no deletion is left, or when this step published none of those it found: the rest were set aside
            // and would be found again by every further step.
            done = tally.versioned == versionedBefore || rows.liveSubjectsWithoutUser(realm.getId(), 1).isEmpty();
        }
        int changed = tally.versioned;
        relay.setReconcileScanned(relay.getReconcileScanned() + ids.size());
        relay.setReconcileFound(relay.getReconcileFound() + changed);
        relay.setReconcileFoundTotal(relay.getReconcileFoundTotal() + changed);
        if (done) {
            relay.setReconcileCursor(null);
            relay.setReconcileEndedAt(clock.millis());
        } else if (!ids.isEmpty()) {
            relay.setReconcileCursor(ids.get(ids.size() - 1));
        }
        return new ReconcileStep(ids.size(), changed, tally.setAside, done);
    }

    /**
     * Versions one person's change, if any, under their ledger row's lock: the deltas, then the snapshots, appended to
     * the outbox in that order, or sets the person aside (see the class comment) with nothing written but the relay row.
     */
    public Outcome materialize(PublisherRows rows, PersonReader reader, RealmModel realm, String subject, String source) {
        return version(rows, reader, realm, subject, source).outcome();
    }

    /** What versioning one person did: the outcome, and the records appended to the outbox, in order. */
    public record Versioned(Outcome outcome, List<StreamEvent> events) {
    }

    /** As {@link #materialize}, returning the events it appended to the outbox too (none unless versioned). */
    public Versioned version(PublisherRows rows, PersonReader reader, RealmModel realm, String subject, String source) {
        long now = clock.millis();
        PublisherRows.LockedLedger locked;
        Publication publication;
        List<Record> records;
        List<String> payloads;
        try {
            locked = rows.lockLedger(realm.getId(), subject, now);
            PersonReader.Person person = reader.read(realm, subject);
            publication = locked.ledger().publish(person == null ? null : person.attributes(),
                    person == null ? List.of() : person.credentials());
            if (publication.isEmpty()) {
                return new Versioned(Outcome.UNCHANGED, List.of());
            }
            records = records(subject, source, publication);
            payloads = checked(records);
        } catch (Unpublishable e) {
            setAside(rows, realm, subject, e.getMessage(), now);
            return new Versioned(Outcome.SET_ASIDE, List.of());
        } catch (RuntimeException e) {
            if (databaseFailure(e)) {
                throw e;
            }
            // The class only: a message here may quote a credential's data.
            setAside(rows, realm, subject, "could not be versioned (internal error: " + e.getClass().getSimpleName()
                    + "); this is a defect of the publisher, please report it", now);
            return new Versioned(Outcome.SET_ASIDE, List.of());
        }
        for (int i = 0; i < records.size(); i++) {
            rows.append(realm.getId(), subject, records.get(i).topic(), records.get(i).event().envelope().id(), payloads.get(i), now);
        }
        rows.saveLedger(locked.row(), publication.ledger(), now);
        if (log.isDebugEnabled()) {
            // Names and versions only: values may be personal, credentials secret.
            Map<String, Long> credentials = new TreeMap<>();
            publication.upsertedCredentials().forEach(c -> credentials.put(c.id(), c.version()));
            publication.revokedCredentials().forEach((id, r) -> credentials.put(id, r.version()));
            Map<String, Long> attributes = new TreeMap<>();
            (publication.deleted() ? publication.tombstone() : versions(publication)).forEach(attributes::put);
            log.debugf("realm %s: versioned %s%s: attributes %s, credentials %s", realm.getName(), subject,
                    publication.deleted() ? " (deleted)" : "", attributes, credentials);
        }
        return new Versioned(Outcome.VERSIONED, records.stream().map(Record::event).toList());
    }

    /** The records as the replicas will read them, each checked against the stream's schemas as they check it. */
    List<String> checked(List<Record> records) {
        List<String> payloads = new ArrayList<>(records.size());
        for (Record record : records) {
            byte[] payload = codec.encode(record.event());
            try {
                codec.decode(payload);
            } catch (InvalidEventException e) {
                throw new Unpublishable("the stream contract cannot carry them, their record " + e.getMessage());
            }
            payloads.add(new String(payload, StandardCharsets.UTF_8));
        }
        return payloads;
    }

    private void setAside(PublisherRows rows, RealmModel realm, String subject, String reason, long now) {
        String named = LogSafe.escape(subject + ": " + reason, 1000);
        PublisherRelayEntity relay = rows.lockRelay(realm.getId());
        relay.setSetAside(relay.getSetAside() + 1);
        relay.setLastSetAside(named);
        relay.setLastSetAsideAt(now);
        log.warnf("publisher of realm %s: person %s set aside, nothing of them is published until they change again or the next "
                + "reconcile compares them; every other change goes on", LogSafe.escape(realm.getName()), named);
    }

    /**
     * Whether a failure is the database's, not the person's: Keycloak's entity manager reports one as its own
     * {@code ModelException} with the JPA or JDBC exception as its cause, so the cause chain is what tells.
     */
    static boolean databaseFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof PersistenceException || t instanceof java.sql.SQLException) {
                return true;
            }
        }
        return false;
    }

    /** A person whose change cannot be published, for a reason of their own. */
    static final class Unpublishable extends RuntimeException {
        Unpublishable(String reason) {
            super(reason, null, false, false);
        }
    }

    private static Map<String, Long> versions(Publication publication) {
        Map<String, Long> versions = new TreeMap<>();
        publication.changedAttributes().forEach((name, value) -> versions.put(name, value.version()));
        return versions;
    }

    /** One outbox record: an event and the topic it goes to. */
    record Record(PublisherRows.Topic topic, StreamEvent event) {
    }

    List<Record> records(String subject, String source, Publication publication) {
        List<Record> records = new ArrayList<>();
        if (publication.deleted()) {
            records.add(new Record(PublisherRows.Topic.IDENTITY,
                    new IdentityDeletion(envelope(EventType.IDENTITY_DELETED, subject, source), publication.tombstone())));
        } else if (!publication.changedAttributes().isEmpty()) {
            records.add(new Record(PublisherRows.Topic.IDENTITY,
                    new IdentityUpsert(envelope(EventType.IDENTITY_UPSERTED, subject, source), publication.changedAttributes())));
        }
        for (ReplicatedCredential credential : publication.upsertedCredentials()) {
            records.add(new Record(PublisherRows.Topic.CREDENTIALS,
                    new CredentialUpsert(envelope(EventType.CREDENTIAL_UPSERTED, subject, source), credential)));
        }
        publication.revokedCredentials().forEach((id, revocation) -> records.add(new Record(PublisherRows.Topic.CREDENTIALS,
                new CredentialRevocation(envelope(EventType.CREDENTIAL_REVOKED, subject, source), id, revocation.type(),
                        revocation.version()))));
        if (publication.identityChanged()) {
            records.add(new Record(PublisherRows.Topic.IDENTITY_SNAPSHOT,
                    new IdentitySnapshot(envelope(EventType.IDENTITY_SNAPSHOT, subject, source), publication.identitySnapshot())));
        }
        if (publication.credentialsChanged()) {
            records.add(new Record(PublisherRows.Topic.CREDENTIALS_SNAPSHOT, new CredentialsSnapshot(
                    envelope(EventType.CREDENTIALS_SNAPSHOT, subject, source), publication.presentCredentials(), publication.revokedVersions())));
        }
        return records;
    }

    private Envelope envelope(EventType type, String subject, String source) {
        return new Envelope(UUID.randomUUID().toString(), source, type, subject, Instant.ofEpochMilli(clock.millis()).toString());
    }
}
