package io.github.keycloakreplica.sync;

import io.github.keycloakreplica.protocol.ApplyPlanner;
import io.github.keycloakreplica.protocol.Outcome;
import io.github.keycloakreplica.protocol.SubjectIds;
import io.github.keycloakreplica.protocol.SubjectState;
import io.github.keycloakreplica.store.PartitionPosition;
import io.github.keycloakreplica.store.RecordOrigin;
import io.github.keycloakreplica.store.ReplicaParkedEventEntity;
import io.github.keycloakreplica.store.ReplicaStore;
import io.github.keycloakreplica.store.ReplicaVersionEntity;
import io.github.keycloakreplica.store.StoredSubject;
import io.github.keycloakreplica.stream.CredentialRevocation;
import io.github.keycloakreplica.stream.CredentialUpsert;
import io.github.keycloakreplica.stream.IdentityDeletion;
import io.github.keycloakreplica.stream.IdentityUpsert;
import io.github.keycloakreplica.stream.InvalidEventException;
import io.github.keycloakreplica.stream.SecretRedaction;
import io.github.keycloakreplica.stream.StreamCodec;
import io.github.keycloakreplica.stream.StreamEvent;
import io.github.keycloakreplica.stream.Topics;
import io.github.keycloakreplica.stream.VersionedValue;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The apply engine for one replica component: takes a batch of records from the delta topics and, in
 * the caller's one database transaction, applies them to Keycloak's users, records their versions,
 * dead-letters what cannot apply and stores the consumer position the batch reached.
 */
public final class StreamApplier {

    private static final Logger log = Logger.getLogger(StreamApplier.class);

    /** Where a subject that is not a usable Keycloak id is kept on the user it maps to. */
    public static final String SUBJECT_ATTRIBUTE = "replicaSubject";

    private final String componentId;
    private final String realmId;
    private final Topics topics;
    private final StreamCodec codec;

    public StreamApplier(String componentId, String realmId, Topics topics, StreamCodec codec) {
        this.componentId = componentId;
        this.realmId = realmId;
        this.topics = topics;
        this.codec = codec;
    }

    /** What one batch did, for counters and logs. */
    public record BatchResult(Map<Outcome, Integer> outcomes, List<PartitionPosition> positions) {

        public int count(Outcome outcome) {
            return outcomes.getOrDefault(outcome, 0);
        }
    }

    /** Applies the records in order. Runs inside the caller's transaction; throws if the batch must roll back. */
    public BatchResult apply(KeycloakSession session, List<InboundRecord> records) {
        ApplySession.mark(session);
        RealmModel realm = session.realms().getRealm(realmId);
        if (realm == null) {
            throw new IllegalStateException("realm " + realmId + " of replica component " + componentId + " no longer exists");
        }
        session.getContext().setRealm(realm);
        Batch batch = new Batch(session, realm, ReplicaStore.of(session));

        Map<InboundRecord, StreamEvent> decoded = new LinkedHashMap<>();
        for (InboundRecord record : records) {
            StreamEvent event;
            try {
                event = codec.decode(record.value());
            } catch (InvalidEventException e) {
                batch.reject(record, null, "Record " + e.getMessage());
                continue;
            }
            String misplaced = misplacement(record, event);
            if (misplaced != null) {
                batch.reject(record, event, "Record " + misplaced);
            } else {
                decoded.put(record, event);
            }
        }
        batch.loadSubjects(decoded.values().stream().map(StreamEvent::subject).collect(Collectors.toSet()));
        decoded.forEach(batch::apply);

        Map<String, PartitionPosition> positions = new LinkedHashMap<>();
        records.forEach(r -> positions.put(r.topic() + "#" + r.partition(), new PartitionPosition(r.topic(), r.partition(), r.offset() + 1)));
        batch.store.savePositions(componentId, realmId, positions.values(), batch.now);
        return new BatchResult(batch.outcomes, List.copyOf(positions.values()));
    }

    /** Dead-letters one record on its own, for when applying it failed in a way no check foresaw. */
    public void deadLetter(KeycloakSession session, InboundRecord record, String reason) {
        RealmModel realm = session.realms().getRealm(realmId);
        session.getContext().setRealm(realm);
        Batch batch = new Batch(session, realm, ReplicaStore.of(session));
        StreamEvent event = null;
        try {
            event = codec.decode(record.value());
        } catch (InvalidEventException e) {
            // The reason given is the one worth keeping.
        }
        batch.reject(record, event, reason);
        batch.store.savePositions(componentId, realmId,
                List.of(new PartitionPosition(record.topic(), record.partition(), record.offset() + 1)), batch.now);
    }

    /** Why an otherwise valid event cannot be trusted where it was found, or null when it can. */
    private String misplacement(InboundRecord record, StreamEvent event) {
        boolean identity = event instanceof IdentityUpsert || event instanceof IdentityDeletion;
        String expectedTopic = identity ? topics.identity() : topics.credentials();
        if (!expectedTopic.equals(record.topic())) {
            return "is a " + event.envelope().type() + " event on topic " + record.topic() + "; it belongs on " + expectedTopic;
        }
        if (record.key() != null && !record.key().equals(event.subject())) {
            return "has record key '" + record.key() + "' but subject '" + event.subject()
                    + "': the key must be the subject, or one subject's events can be reordered across partitions";
        }
        return null;
    }

    /** The state of one batch: its clock, its subjects, and what became of each event. */
    private final class Batch {

        final KeycloakSession session;
        final RealmModel realm;
        final ReplicaStore store;
        final UserWriter writer;
        final long now = System.currentTimeMillis();
        final Map<String, StoredSubject> subjects = new LinkedHashMap<>();
        final Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);

        Batch(KeycloakSession session, RealmModel realm, ReplicaStore store) {
            this.session = session;
            this.realm = realm;
            this.store = store;
            this.writer = new UserWriter(session, realm, componentId);
        }

        void loadSubjects(Set<String> names) {
            subjects.putAll(store.subjects(componentId, names));
        }

        SubjectState state(String subject) {
            StoredSubject stored = subjects.get(subject);
            return stored == null ? SubjectState.UNKNOWN : stored.state();
        }

        void apply(InboundRecord record, StreamEvent event) {
            try {
                Outcome outcome;
                if (event instanceof IdentityUpsert upsert) {
                    outcome = upsert(record, upsert);
                } else if (event instanceof IdentityDeletion deletion) {
                    outcome = delete(deletion);
                } else if (event instanceof CredentialUpsert upsert) {
                    outcome = credential(record, upsert, ApplyPlanner.planCredential(state(upsert.subject()), upsert));
                } else {
                    CredentialRevocation revocation = (CredentialRevocation) event;
                    outcome = credential(record, revocation, ApplyPlanner.planCredential(state(revocation.subject()), revocation));
                }
                count(outcome);
            } catch (EventRejectedException e) {
                reject(record, event, "Event cannot apply here: " + e.getMessage());
            }
        }

        Outcome upsert(InboundRecord record, IdentityUpsert event) {
            String subject = event.subject();
            ApplyPlanner.IdentityPlan plan = ApplyPlanner.planUpsert(state(subject), event);
            if (plan.outcome() == Outcome.REJECTED) {
                throw new EventRejectedException(plan.reason());
            }
            if (plan.outcome() == Outcome.STALE) {
                log.debugf("stale %s for subject %s (%s): %s", event.envelope().type(), subject, record, plan.reason());
                return Outcome.STALE;
            }
            StoredSubject stored = subjects.get(subject);
            String userId = stored == null ? SubjectIds.userId(subject) : stored.userId();
            VersionedValue newUsername = plan.changes().get("username");
            if (newUsername != null) {
                writer.checkUsernameFree(newUsername.asText().toLowerCase(), userId);
            }
            UserModel user = writer.find(userId);
            if (user == null) {
                if (newUsername == null) {
                    throw new EventRejectedException("the Keycloak user of subject " + subject
                            + " is missing at this replica and the event carries no username to re-create it with");
                }
                user = writer.create(userId, newUsername.asText().toLowerCase());
                if (!userId.equals(subject)) {
                    user.setSingleAttribute(SUBJECT_ATTRIBUTE, subject);
                }
            } else if (!Objects.equals(user.getFederationLink(), componentId)) {
                throw new EventRejectedException("user id " + userId + " belongs to a user that is not replicated by this component");
            }
            String username = user.getUsername();
            writer.applyAttributes(user, plan.changes(), entitlement ->
                    log.warnf("subject %s (user %s) names %s, which does not exist in realm %s; the rest of the event is applied",
                            subject, username, entitlement, realm.getName()));

            if (stored == null) {
                stored = store.createSubject(componentId, realmId, subject, userId, now);
                subjects.put(subject, stored);
            }
            stored.entity().setDeleted(false);
            for (Map.Entry<String, VersionedValue> change : plan.changes().entrySet()) {
                store.setVersion(stored, ReplicaVersionEntity.Kind.ATTRIBUTE, change.getKey(), change.getValue().version(),
                        event.envelope().id(), event.envelope().source(), now);
            }
            if (!plan.staleAttributes().isEmpty()) {
                log.debugf("subject %s: attributes %s of event %s were not newer than stored", subject, plan.staleAttributes(),
                        event.envelope().id());
            }
            drainParked(subject);
            return Outcome.APPLIED;
        }

        Outcome delete(IdentityDeletion event) {
            String subject = event.subject();
            ApplyPlanner.DeletionPlan plan = ApplyPlanner.planDeletion(state(subject), event);
            if (plan.outcome() == Outcome.STALE) {
                return Outcome.STALE;
            }
            StoredSubject stored = subjects.get(subject);
            if (stored == null) {
                stored = store.createSubject(componentId, realmId, subject, SubjectIds.userId(subject), now);
                subjects.put(subject, stored);
            }
            if (plan.removesUser()) {
                UserModel user = writer.find(stored.userId());
                if (user != null) {
                    writer.delete(user);
                }
            }
            stored.entity().setDeleted(true);
            for (Map.Entry<String, Long> version : plan.tombstone().entrySet()) {
                store.setVersion(stored, ReplicaVersionEntity.Kind.ATTRIBUTE, version.getKey(), version.getValue(),
                        event.envelope().id(), event.envelope().source(), now);
            }
            store.unpark(componentId, subject);
            return Outcome.APPLIED;
        }

        Outcome credential(InboundRecord record, StreamEvent event, ApplyPlanner.CredentialPlan plan) {
            String subject = event.subject();
            if (plan.outcome() == Outcome.PARKED) {
                store.park(componentId, realmId, subject, record.origin(), event.envelope().id(),
                        new String(record.value(), StandardCharsets.UTF_8), now);
                log.debugf("parked %s for subject %s (%s): %s", event.envelope().type(), subject, record, plan.reason());
                return Outcome.PARKED;
            }
            if (plan.outcome() == Outcome.STALE) {
                log.debugf("stale %s for subject %s (%s): %s", event.envelope().type(), subject, record, plan.reason());
                return Outcome.STALE;
            }
            StoredSubject stored = subjects.get(subject);
            UserModel user = writer.find(stored.userId());
            if (user == null) {
                throw new EventRejectedException("the Keycloak user of subject " + subject + " is missing at this replica");
            }
            String credentialId;
            long version;
            if (event instanceof CredentialUpsert upsert) {
                credentialId = upsert.credential().id();
                version = upsert.credential().version();
                writer.upsertCredential(user, upsert.credential(), SubjectIds.credentialId(credentialId));
            } else {
                CredentialRevocation revocation = (CredentialRevocation) event;
                credentialId = revocation.credentialId();
                version = revocation.version();
                writer.revokeCredential(user, SubjectIds.credentialId(credentialId));
            }
            store.setVersion(stored, ReplicaVersionEntity.Kind.CREDENTIAL, credentialId, version, event.envelope().id(),
                    event.envelope().source(), now);
            return Outcome.APPLIED;
        }

        /** Credentials that arrived before their subject apply now, in the order they arrived. */
        void drainParked(String subject) {
            List<ReplicaParkedEventEntity> parked = new ArrayList<>(store.parked(componentId, subject));
            if (parked.isEmpty()) {
                return;
            }
            store.unpark(componentId, subject);
            for (ReplicaParkedEventEntity row : parked) {
                RecordOrigin origin = row.getOrigin();
                InboundRecord record = new InboundRecord(origin.getTopic(), origin.getPartition(), origin.getOffset(), subject,
                        row.getPayload().getBytes(StandardCharsets.UTF_8));
                try {
                    apply(record, codec.decode(record.value()));
                } catch (InvalidEventException e) {
                    reject(record, null, "Parked record " + e.getMessage());
                }
            }
        }

        void reject(InboundRecord record, StreamEvent event, String reason) {
            boolean credentials = topics.credentials().equals(record.topic());
            String eventId = event == null ? null : event.envelope().id();
            String type = event == null ? null : event.envelope().type().value();
            log.warnf("replica %s: dead-lettered record %s (key %s, event %s): %s", componentId, record, record.key(), eventId, reason);
            store.deadLetter(componentId, realmId, record.origin(), record.key(), eventId, type, reason,
                    SecretRedaction.redact(record.value(), credentials), now);
            count(Outcome.REJECTED);
        }

        void count(Outcome outcome) {
            outcomes.merge(outcome, 1, Integer::sum);
        }
    }
}
