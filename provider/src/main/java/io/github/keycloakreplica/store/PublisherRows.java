package io.github.keycloakreplica.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.keycloakreplica.protocol.PublishedLedger;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/** The primary side's rows: intents, the published ledger, the outbox and the realm's relay. */
public final class PublisherRows {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The realm topic an outbox row goes to; its name is what the TOPIC column holds. */
    public enum Topic {
        IDENTITY, CREDENTIALS, IDENTITY_SNAPSHOT, CREDENTIALS_SNAPSHOT
    }

    /** An outbox row as the relay sends it. */
    public record Outgoing(long seq, String subject, Topic topic, String eventId, String payload, long createdAt) {

        @Override
        public String toString() {
            // The payload of a credential record holds a hash or a seed.
            return "Outgoing[seq=" + seq + ", subject=" + subject + ", topic=" + topic + ", eventId=" + eventId + "]";
        }
    }

    /** How many rows wait and since when (epoch millis; null when none). */
    public record Backlog(long count, Long oldestAt) {
    }

    /** A person's locked ledger row and what it holds. */
    public record LockedLedger(PublisherSubjectEntity row, PublishedLedger ledger) {
    }

    private final EntityManager em;

    public PublisherRows(EntityManager em) {
        this.em = em;
    }

    public static PublisherRows of(KeycloakSession session) {
        return new PublisherRows(session.getProvider(JpaConnectionProvider.class).getEntityManager());
    }

    public void addIntent(String realmId, String subject, String reason, long now) {
        PublisherIntentEntity intent = new PublisherIntentEntity();
        intent.setId(UUID.randomUUID().toString());
        intent.setRealmId(realmId);
        intent.setSubject(subject);
        intent.setReason(reason.length() > 64 ? reason.substring(0, 64) : reason);
        intent.setCreatedAt(now);
        em.persist(intent);
    }

    public List<PublisherIntentEntity> oldestIntents(String realmId, int limit) {
        return em.createNamedQuery("publisherOldestIntents", PublisherIntentEntity.class).setParameter("realmId", realmId)
                .setMaxResults(limit).getResultList();
    }

    public void deleteIntents(Collection<String> ids) {
        for (List<String> chunk : Chunks.of(ids)) {
            em.createNamedQuery("deletePublisherIntents").setParameter("ids", chunk).executeUpdate();
        }
    }

    public Backlog intents(String realmId) {
        Object[] row = em.createNamedQuery("publisherIntentSummary", Object[].class).setParameter("realmId", realmId).getSingleResult();
        return new Backlog(((Number) row[0]).longValue(), row[1] == null ? null : ((Number) row[1]).longValue());
    }

    /**
     * A person's ledger row, locked until the transaction ends, created (empty) on first use. Two materializers that
     * both create it race on the primary key; the loser's transaction fails and its intents stay for the next round.
     */
    public LockedLedger lockLedger(String realmId, String subject, long now) {
        String id = ledgerId(realmId, subject);
        PublisherSubjectEntity row = em.find(PublisherSubjectEntity.class, id, LockModeType.PESSIMISTIC_WRITE);
        if (row == null) {
            row = new PublisherSubjectEntity();
            row.setId(id);
            row.setRealmId(realmId);
            row.setSubject(subject);
            row.setUpdatedAt(now);
            em.persist(row);
            em.flush();
            return new LockedLedger(row, PublishedLedger.EMPTY);
        }
        if (!realmId.equals(row.getRealmId()) || !subject.equals(row.getSubject())) {
            throw new IllegalStateException("PUBLISHER_SUBJECT row " + id + " holds another subject than its id names; "
                    + "were the publisher's tables changed by hand?");
        }
        return new LockedLedger(row, readLedger(row.getLedger(), id));
    }

    /** Reads a ledger without locking it, for looks that change nothing (status, tests). */
    public Optional<PublishedLedger> ledger(String realmId, String subject) {
        PublisherSubjectEntity row = em.find(PublisherSubjectEntity.class, ledgerId(realmId, subject));
        return Optional.ofNullable(row).map(r -> readLedger(r.getLedger(), r.getId()));
    }

    public void saveLedger(PublisherSubjectEntity row, PublishedLedger ledger, long now) {
        row.setLedger(writeLedger(ledger));
        row.setLive(ledger.live());
        row.setUpdatedAt(now);
    }

    /**
     * The ids of the groups a user is a direct member of: what Keycloak's JPA user adapter selects for its groups, but
     * as one query text, whose plan Hibernate keeps, where the adapter builds a criteria query, planned anew, on every
     * call (a tenth of a relay round's time in a profile).
     */
    public List<String> groupIdsOf(String userId) {
        return em.createQuery("select m.groupId from UserGroupMembershipEntity m where m.user.id = :userId", String.class)
                .setParameter("userId", userId).getResultList();
    }

    /** Subjects published as live whose user is gone from the realm: deletions no event told of. */
    public List<String> liveSubjectsWithoutUser(String realmId, int limit) {
        return em.createNamedQuery("publisherLiveSubjectsWithoutUser", String.class).setParameter("realmId", realmId)
                .setMaxResults(limit).getResultList();
    }

    public long liveSubjects(String realmId) {
        return em.createNamedQuery("publisherCountLiveSubjects", Long.class).setParameter("realmId", realmId).getSingleResult();
    }

    /**
     * The realm's people (not service accounts) by id after {@code cursor}, in id order: the reconcile's keyset scan.
     * Users of a federation link are included, since Keycloak stores them here when it imports them.
     */
    public List<String> userIdsAfter(String realmId, String cursor, int limit) {
        return em.createQuery("select u.id from UserEntity u where u.realmId = :realmId and u.id > :cursor "
                        + "and u.serviceAccountClientLink is null order by u.id", String.class)
                .setParameter("realmId", realmId).setParameter("cursor", cursor == null ? "" : cursor)
                .setMaxResults(limit).getResultList();
    }

    public long append(String realmId, String subject, Topic topic, String eventId, String payload, long now) {
        PublisherOutboxEntity row = new PublisherOutboxEntity();
        row.setRealmId(realmId);
        row.setSubject(subject);
        row.setTopic(topic.name());
        row.setEventId(eventId);
        row.setPayload(payload);
        row.setCreatedAt(now);
        em.persist(row);
        return row.getSeq() == null ? -1 : row.getSeq();
    }

    public List<Outgoing> outboxHead(String realmId, int limit) {
        return em.createNamedQuery("publisherOutboxHead", PublisherOutboxEntity.class).setParameter("realmId", realmId)
                .setMaxResults(limit).getResultList().stream()
                .map(o -> new Outgoing(o.getSeq(), o.getSubject(), Topic.valueOf(o.getTopic()), o.getEventId(), o.getPayload(),
                        o.getCreatedAt()))
                .toList();
    }

    public void deleteOutbox(String realmId, Collection<Long> seqs) {
        for (List<Long> chunk : Chunks.of(seqs)) {
            em.createNamedQuery("deletePublisherOutbox").setParameter("realmId", realmId).setParameter("seqs", chunk).executeUpdate();
        }
    }

    public Backlog outbox(String realmId) {
        Object[] row = em.createNamedQuery("publisherOutboxSummary", Object[].class).setParameter("realmId", realmId).getSingleResult();
        return new Backlog(((Number) row[0]).longValue(), row[1] == null ? null : ((Number) row[1]).longValue());
    }

    /**
     * The realm's relay row, locked until the transaction ends, created on first use. Every change of the row's
     * columns goes through this: Keycloak's JPA writes a changed entity's every column, so a row changed without its
     * lock could write back the owner and epoch it read before another node claimed the relay.
     */
    public PublisherRelayEntity lockRelay(String realmId) {
        PublisherRelayEntity relay = em.find(PublisherRelayEntity.class, realmId, LockModeType.PESSIMISTIC_WRITE);
        if (relay == null) {
            // Two nodes creating it at once: one fails on the primary key, and its round is tried again.
            relay = new PublisherRelayEntity();
            relay.setRealmId(realmId);
            em.persist(relay);
            em.flush();
        }
        return relay;
    }

    /** The relay row as it is, for looks that change nothing. */
    public Optional<PublisherRelayEntity> findRelay(String realmId) {
        return Optional.ofNullable(em.find(PublisherRelayEntity.class, realmId));
    }

    /**
     * Takes the relay when nobody holds it or its lease ran out: under the row's lock, the owner, one more epoch and the
     * lease's end. Returns the epoch this owner now holds it at, empty when another holds it.
     */
    public OptionalLong claimRelay(String realmId, String owner, long now, long leaseUntil) {
        PublisherRelayEntity relay = lockRelay(realmId);
        if (relay.getOwner() != null && relay.getLeaseUntil() >= now) {
            return OptionalLong.empty();
        }
        relay.setOwner(owner);
        relay.setEpoch(relay.getEpoch() + 1);
        relay.setLeaseUntil(leaseUntil);
        return OptionalLong.of(relay.getEpoch());
    }

    /** Extends the lease this owner holds at this epoch; false when another took it over meanwhile. */
    public boolean renewRelay(String realmId, String owner, long epoch, long leaseUntil) {
        return em.createNamedQuery("renewPublisherRelay").setParameter("realmId", realmId).setParameter("owner", owner)
                .setParameter("epoch", epoch).setParameter("leaseUntil", leaseUntil).executeUpdate() == 1;
    }

    public void releaseRelay(String realmId, String owner, long epoch) {
        em.createNamedQuery("releasePublisherRelay").setParameter("realmId", realmId).setParameter("owner", owner)
                .setParameter("epoch", epoch).executeUpdate();
    }

    /** Everything the publisher keeps of a realm: for the realm's removal or its publisher's. */
    public void forgetRealm(String realmId) {
        for (String query : List.of("deletePublisherIntentsByRealm", "deletePublisherSubjectsByRealm", "deletePublisherOutboxByRealm",
                "deletePublisherRelayByRealm", "deletePublisherWriteRequestsByRealm")) {
            em.createNamedQuery(query).setParameter("realmId", realmId).executeUpdate();
        }
    }

    /** The answer a site's change request with this idempotency key got, if it was carried out before. */
    public Optional<PublisherWriteRequestEntity> writeRequest(String realmId, String clientId, String key) {
        return Optional.ofNullable(em.find(PublisherWriteRequestEntity.class, writeRequestId(realmId, clientId, key)));
    }

    /**
     * Records a site's change request as being carried out, and writes the row at once: a second request with the
     * same key waits on it in the database until this transaction ends, then fails (this one committed) or goes on
     * (this one rolled back). The answer is set on the returned row before the transaction commits.
     */
    public PublisherWriteRequestEntity startWriteRequest(String realmId, String clientId, String key, String site, String subject,
                                                         String change, long now) {
        PublisherWriteRequestEntity row = new PublisherWriteRequestEntity();
        row.setId(writeRequestId(realmId, clientId, key));
        row.setRealmId(realmId);
        row.setClientId(clientId);
        row.setSite(site);
        row.setSubject(subject);
        row.setChange(change);
        row.setCreatedAt(now);
        em.persist(row);
        em.flush();
        return row;
    }

    /** Forgets the answers given before this instant: a site retries within minutes, not weeks. */
    public int deleteWriteRequestsBefore(String realmId, long before) {
        return em.createNamedQuery("deletePublisherWriteRequestsBefore").setParameter("realmId", realmId).setParameter("before", before)
                .executeUpdate();
    }

    static String writeRequestId(String realmId, String clientId, String key) {
        return UUID.nameUUIDFromBytes(("write\n" + realmId + "\n" + clientId + "\n" + key).getBytes(StandardCharsets.UTF_8)).toString();
    }

    static String ledgerId(String realmId, String subject) {
        return UUID.nameUUIDFromBytes(("publisher\n" + realmId + "\n" + subject).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** {"a":{"email":[2,"fingerprint"]},"c":{"id":[1,"fingerprint","password"]}}; a null fingerprint is an absent value. */
    static String writeLedger(PublishedLedger ledger) {
        ObjectNode root = MAPPER.createObjectNode();
        ObjectNode attributes = root.putObject("a");
        ledger.attributes().forEach((name, p) -> attributes.set(name, entry(p)));
        ObjectNode credentials = root.putObject("c");
        ledger.credentials().forEach((id, p) -> credentials.set(id, entry(p)));
        try {
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a ledger is plain JSON", e);
        }
    }

    static PublishedLedger readLedger(String text, String rowId) {
        if (text == null || text.isEmpty()) {
            return PublishedLedger.EMPTY;
        }
        try {
            JsonNode root = MAPPER.readTree(text);
            return new PublishedLedger(entries(root.path("a")), entries(root.path("c")));
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalStateException("PUBLISHER_SUBJECT row " + rowId + " holds a ledger that cannot be read: " + e.getMessage(), e);
        }
    }

    private static ArrayNode entry(PublishedLedger.Published p) {
        ArrayNode entry = MAPPER.createArrayNode().add(p.version());
        entry.add(p.fingerprint());
        if (p.type() != null) {
            entry.add(p.type());
        }
        return entry;
    }

    private static Map<String, PublishedLedger.Published> entries(JsonNode node) {
        Map<String, PublishedLedger.Published> entries = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            entries.put(e.getKey(), new PublishedLedger.Published(v.get(0).asLong(), v.get(1).isNull() ? null : v.get(1).asText(),
                    v.size() > 2 ? v.get(2).asText() : null));
        }
        return entries;
    }
}
