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
import io.github.keycloakreplica.stream.ReplicatedCredential;
import io.github.keycloakreplica.stream.StreamCodec;
import io.github.keycloakreplica.stream.StreamEvent;
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

    /** What one round did. */
    public record Round(int intents, int people, int changed, boolean reconcileRequested) {
    }

    /**
     * Takes the realm's oldest intents, materializes the people they name and deletes them. An intent for the whole
     * realm starts a reconcile (see {@link #startReconcile}) instead.
     */
    public Round drainIntents(KeycloakSession session, RealmModel realm, String source) {
        PublisherRows rows = PublisherRows.of(session);
        List<PublisherIntentEntity> intents = rows.oldestIntents(realm.getId(), INTENTS_PER_ROUND);
        if (intents.isEmpty()) {
            return new Round(0, 0, 0, false);
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
        int changed = 0;
        for (String subject : subjects) {
            changed += materialize(rows, reader, realm, subject, source) ? 1 : 0;
        }
        if (wholeRealm) {
            startReconcile(rows, realm.getId(), "asked: a role, group or client changed for many people");
        }
        rows.deleteIntents(intents.stream().map(PublisherIntentEntity::getId).toList());
        return new Round(intents.size(), subjects.size(), changed, wholeRealm);
    }

    /** Starts comparing every person of the realm with what was published, from the first; restarts one running. */
    public void startReconcile(PublisherRows rows, String realmId, String reason) {
        PublisherRelayEntity relay = rows.lockRelay(realmId);
        relay.setReconcileCursor("");
        relay.setReconcileReason(reason.length() > 64 ? reason.substring(0, 64) : reason);
        relay.setReconcileStartedAt(clock.millis());
        relay.setReconcileEndedAt(null);
        relay.setReconcileScanned(0);
        relay.setReconcileFound(0);
    }

    /** What one reconcile step did; {@code done} when the whole realm has been compared. */
    public record ReconcileStep(int compared, int changed, boolean done) {
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
            return new ReconcileStep(0, 0, true);
        }
        PersonReader reader = new PersonReader(session);
        List<String> ids = rows.userIdsAfter(realm.getId(), cursor, RECONCILE_STEP);
        int changed = 0;
        for (String id : ids) {
            changed += materialize(rows, reader, realm, id, source) ? 1 : 0;
        }
        boolean done = ids.size() < RECONCILE_STEP;
        if (done) {
            for (String gone : rows.liveSubjectsWithoutUser(realm.getId(), RECONCILE_STEP)) {
                changed += materialize(rows, reader, realm, gone, source) ? 1 : 0;
            }
            done = rows.liveSubjectsWithoutUser(realm.getId(), 1).isEmpty();
        }
        relay.setReconcileScanned(relay.getReconcileScanned() + ids.size());
        relay.setReconcileFound(relay.getReconcileFound() + changed);
        relay.setReconcileFoundTotal(relay.getReconcileFoundTotal() + changed);
        if (done) {
            relay.setReconcileCursor(null);
            relay.setReconcileEndedAt(clock.millis());
        } else if (!ids.isEmpty()) {
            relay.setReconcileCursor(ids.get(ids.size() - 1));
        }
        return new ReconcileStep(ids.size(), changed, done);
    }

    /**
     * Versions one person's change, if any, under their ledger row's lock: the deltas, then the snapshots, appended to
     * the outbox in that order. Returns whether anything changed.
     */
    public boolean materialize(PublisherRows rows, PersonReader reader, RealmModel realm, String subject, String source) {
        long now = clock.millis();
        PublisherRows.LockedLedger locked = rows.lockLedger(realm.getId(), subject, now);
        PersonReader.Person person = reader.read(realm, subject);
        Publication publication = locked.ledger().publish(person == null ? null : person.attributes(),
                person == null ? List.of() : person.credentials());
        if (publication.isEmpty()) {
            return false;
        }
        List<Record> records = records(subject, source, publication);
        for (Record record : records) {
            rows.append(realm.getId(), subject, record.topic(), record.event().envelope().id(),
                    new String(codec.encode(record.event()), StandardCharsets.UTF_8), now);
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
        return true;
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
