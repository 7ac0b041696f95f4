package io.github.keycloakreplica.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.keycloakreplica.protocol.Fact;
import io.github.keycloakreplica.protocol.Ledger;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Loads subjects' ledgers for a batch and writes back what changed. Existing subject rows are read
 * with a pessimistic write lock: every version check and write of a batch happens under that lock,
 * so two nodes of one site sharing the database can never both apply to a subject, nor apply over a
 * newer version.
 */
public final class Ledgers {

    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Rows per round trip for a batch's ledgers: a batch reads thousands of version rows, and Keycloak's
     * default of 64 would make that dozens of round trips to the database.
     */
    private static final int FETCH_SIZE = 1000;
    private static final String FETCH_SIZE_HINT = "org.hibernate.fetchSize";

    private final EntityManager em;

    Ledgers(EntityManager em) {
        this.em = em;
    }

    public static Ledgers of(KeycloakSession session) {
        return new Ledgers(session.getProvider(JpaConnectionProvider.class).getEntityManager());
    }

    public Map<String, SubjectRecord> load(String componentId, Collection<String> subjects, Function<String, String> userIds) {
        Map<String, SubjectRecord> found = new HashMap<>();
        Map<String, String> subjectsById = new HashMap<>();
        subjects.forEach(subject -> subjectsById.put(ReplicaSubjectEntity.idOf(componentId, subject), subject));
        for (List<String> chunk : Chunks.of(subjectsById.keySet())) {
            List<ReplicaSubjectEntity> rows = em.createNamedQuery("replicaSubjectsByIds", ReplicaSubjectEntity.class)
                    .setParameter("ids", chunk)
                    .setLockMode(LockModeType.PESSIMISTIC_WRITE)
                    .setHint(FETCH_SIZE_HINT, FETCH_SIZE)
                    .getResultList();
            Map<String, SubjectRecord> records = new HashMap<>();
            Map<String, List<Fact>> buffered = new HashMap<>();
            for (ReplicaSubjectEntity row : rows) {
                if (!componentId.equals(row.getComponentId()) || !row.getSubject().equals(subjectsById.get(row.getId()))) {
                    throw new IllegalStateException("REPLICA_SUBJECT row " + row.getId() + " holds subject " + row.getSubject()
                            + " of component " + row.getComponentId() + ", not the one its id names; were the replica's tables changed by hand?");
                }
                records.put(row.getId(), new SubjectRecord(row.getSubject(), row.getUserId(), row, null));
                buffered.put(row.getId(), new ArrayList<>());
            }
            // A subject row says whether it has anything in the gap buffer (save() keeps GAP_SINCE with it).
            List<String> withGaps = rows.stream().filter(row -> row.getGapSince() != null).map(ReplicaSubjectEntity::getId).toList();
            for (ReplicaGapEntity g : withGaps.isEmpty() ? List.<ReplicaGapEntity>of()
                    : em.createNamedQuery("replicaGapsBySubjectIds", ReplicaGapEntity.class).setParameter("subjectIds", withGaps).getResultList()) {
                Fact fact = fact(g.getKind(), g.getName(), g.getVersion(), g.getValue(), g.getEventId(), g.getSource());
                records.get(g.getSubjectId()).gapRows.put(SubjectRecord.gapKey(fact.key(), fact.version()), g);
                buffered.get(g.getSubjectId()).add(fact);
            }
            records.forEach((id, record) -> {
                List<Fact> facts = FactsColumn.read(record.row.getFacts(), id);
                facts.forEach(fact -> record.storedVersions.put(fact.key(), fact.version()));
                record.restore(Ledger.of(facts, buffered.get(id)));
                found.put(record.subject(), record);
            });
        }
        for (String subject : subjectsById.values()) {
            found.computeIfAbsent(subject, s -> new SubjectRecord(s, userIds.apply(s), null, Ledger.empty()));
        }
        return found;
    }

    /**
     * Writes back what the batch changed: the current facts, the gap buffer, and the subject row's
     * summary (live, oldest gap, whether an access-critical attribute has a gap). A subject the batch
     * never gave a fact to is not saved.
     */
    public void save(String componentId, String realmId, Collection<SubjectRecord> records, Set<String> criticalAttributes, long now) {
        save(componentId, realmId, records, criticalAttributes, now, false);
    }

    /** @param repair whether these subjects were repaired from their snapshots now (gap repair waits for the next timeout) */
    public void save(String componentId, String realmId, Collection<SubjectRecord> records, Set<String> criticalAttributes, long now,
                     boolean repair) {
        Set<SubjectRecord> created = new HashSet<>();
        for (SubjectRecord record : records) {
            if (repair && record.row != null) {
                record.row.setLastRepair(now);
            }
            if (record.row == null && record.ledger().known()) {
                ReplicaSubjectEntity row = new ReplicaSubjectEntity();
                row.setId(ReplicaSubjectEntity.idOf(componentId, record.subject()));
                row.setComponentId(componentId);
                row.setRealmId(realmId);
                row.setSubject(record.subject());
                row.setUserId(record.userId());
                row.setUpdatedAt(now);
                record.row = row;
                // The row's values before it is persisted: Hibernate inserts the state an entity has then and
                // writes later changes as an update, which would cost a bulk load twice the statements.
                writeFacts(record);
                row.setLogSize(record.takeNewLogLines());
                row.setLive(record.ledger().live());
                writeParked(record);
                row.setGapSince(record.parkedSince());
                if (repair) {
                    row.setLastRepair(now);
                }
                em.persist(row);
                created.add(record);
            }
        }
        if (!created.isEmpty()) {
            // The rows that reference subjects are not mapped as JPA associations, so Hibernate's batched,
            // type-ordered inserts would not know to put the subjects first.
            em.flush();
        }
        for (SubjectRecord record : records) {
            if (record.row != null) {
                save(record, !created.contains(record), criticalAttributes, now);
            }
        }
    }

    /** The row's facts, and its source: where the newest of the facts that changed came from. */
    private static void writeFacts(SubjectRecord record) {
        Ledger ledger = record.ledger();
        ReplicaSubjectEntity row = record.row;
        String source = row.getSource();
        String facts = FactsColumn.write(ledger.currentFacts());
        if (!facts.equals(row.getFacts())) {
            row.setFacts(facts);
            for (Fact fact : ledger.currentFacts()) {
                Long stored = record.storedVersions.put(fact.key(), fact.version());
                if ((stored == null || stored != fact.version()) && fact.provenance().source() != null) {
                    source = fact.provenance().source();
                }
            }
        }
        row.setSource(source);
    }

    /** @param existing whether the row was there before this save (a new one has its facts already) */
    private void save(SubjectRecord record, boolean existing, Set<String> criticalAttributes, long now) {
        Ledger ledger = record.ledger();
        ReplicaSubjectEntity row = record.row;
        if (existing) {
            writeFacts(record);
        }

        Set<String> stillBuffered = new HashSet<>();
        Long oldestGap = null;
        boolean criticalGap = false;
        for (Fact fact : ledger.bufferedFacts()) {
            String key = SubjectRecord.gapKey(fact.key(), fact.version());
            stillBuffered.add(key);
            ReplicaGapEntity g = record.gapRows.get(key);
            if (g == null) {
                g = new ReplicaGapEntity();
                g.setId(UUID.randomUUID().toString());
                g.setSubjectId(row.getId());
                g.setKind(kind(fact.kind()));
                g.setName(fact.name());
                g.setVersion(fact.version());
                g.setValue(text(fact.value()));
                g.setEventId(fact.provenance().eventId());
                g.setSource(fact.provenance().source());
                g.setBufferedAt(now);
                em.persist(g);
                record.gapRows.put(key, g);
            }
            oldestGap = oldestGap == null ? g.getBufferedAt() : Math.min(oldestGap, g.getBufferedAt());
            criticalGap |= fact.kind() == Fact.Kind.ATTRIBUTE && (criticalAttributes.contains(fact.name()) || isDeletion(fact));
        }
        record.gapRows.entrySet().removeIf(entry -> {
            if (stillBuffered.contains(entry.getKey())) {
                return false;
            }
            em.remove(entry.getValue());
            return true;
        });

        row.setLogSize(row.getLogSize() + record.takeNewLogLines());
        row.setLive(ledger.live());
        writeParked(record);
        // A subject waiting for a username counts as a gap: listed with the gaps, repaired with them past the timeout.
        if (record.parkedSince() != null) {
            oldestGap = oldestGap == null ? record.parkedSince() : Math.min(oldestGap, record.parkedSince());
        }
        row.setGapSince(oldestGap);
        row.setCriticalGap(criticalGap);
        row.setUpdatedAt(now);
    }

    /** A deletion waiting for earlier versions: its username going absent. It takes all access away, so it counts as critical. */
    public static boolean isDeletion(Fact fact) {
        return fact.kind() == Fact.Kind.ATTRIBUTE && Ledger.USERNAME.name().equals(fact.name()) && !fact.present();
    }

    private static void writeParked(SubjectRecord record) {
        ReplicaSubjectEntity row = record.row;
        if (!Objects.equals(row.getParkedUsername(), record.parkedUsername())) {
            row.setParkedUsername(record.parkedUsername());
        }
        if (!Objects.equals(row.getParkedHolder(), record.parkedHolder())) {
            row.setParkedHolder(record.parkedHolder());
        }
        if (!Objects.equals(row.getParkedSince(), record.parkedSince())) {
            row.setParkedSince(record.parkedSince());
        }
    }

    /** When the gaps this save closed had opened, for the gap resolution time; call before {@link #save}. */
    public List<Long> closingGapTimes(SubjectRecord record) {
        Set<String> open = new HashSet<>();
        record.ledger().bufferedFacts().forEach(f -> open.add(SubjectRecord.gapKey(f.key(), f.version())));
        List<Long> closed = new ArrayList<>();
        record.gapRows.forEach((key, row) -> {
            if (!open.contains(key)) {
                closed.add(row.getBufferedAt());
            }
        });
        return closed;
    }

    private static ReplicaGapEntity.Kind kind(Fact.Kind kind) {
        return kind == Fact.Kind.ATTRIBUTE ? ReplicaGapEntity.Kind.ATTRIBUTE : ReplicaGapEntity.Kind.CREDENTIAL;
    }

    private static Fact fact(ReplicaGapEntity.Kind kind, String name, long version, String value, String eventId, String source) {
        return new Fact(kind == ReplicaGapEntity.Kind.ATTRIBUTE ? Fact.Kind.ATTRIBUTE : Fact.Kind.CREDENTIAL, name, version,
                value(value), new Fact.Provenance(eventId, source));
    }

    private static String text(JsonNode value) {
        return value == null ? null : value.toString();
    }

    private static JsonNode value(String text) {
        if (text == null) {
            return null;
        }
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored fact value is not JSON; the replica's tables were changed by hand?", e);
        }
    }
}
