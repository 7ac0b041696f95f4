package io.github.keycloakreplica.apply;

import jakarta.persistence.EntityManager;
import org.hibernate.Session;
import org.hibernate.StatelessSession;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rows of the users a bulk load creates (user, attributes, role mappings, memberships, credentials),
 * held until the transaction's subjects are all applied and then inserted kind by kind through a
 * Hibernate stateless session on the transaction's own connection. Nothing of these users is in the
 * database yet and nothing in the transaction reads them back, so Keycloak's persistence context would
 * only track and dirty-check them: for a full sync of 100,000 people that bookkeeping was most of the
 * replica's CPU. Kinds are inserted in the order they first came, and a user always comes before its
 * rows, so every foreign key finds its row.
 */
final class NewUserRows {

    /** Statements per JDBC batch; the PostgreSQL driver can make one multi-row insert of each. */
    private static final int JDBC_BATCH = 250;

    private final Map<Class<?>, List<Object>> rows = new LinkedHashMap<>();

    void add(Object row) {
        rows.computeIfAbsent(row.getClass(), kind -> new ArrayList<>()).add(row);
    }

    /** Takes back a row not inserted yet (a credential replaced, a membership left within the same apply). */
    void remove(Object row) {
        List<Object> ofKind = rows.get(row.getClass());
        if (ofKind != null) {
            ofKind.removeIf(held -> held == row);
        }
    }

    boolean isEmpty() {
        return rows.values().stream().allMatch(List::isEmpty);
    }

    /** Inserts every row held, in the caller's transaction, and forgets them. */
    void insert(EntityManager em) {
        if (isEmpty()) {
            return;
        }
        try (StatelessSession inserts = em.unwrap(Session.class).statelessWithOptions().connection().open()) {
            inserts.setJdbcBatchSize(JDBC_BATCH);
            rows.values().forEach(inserts::insertMultiple);
        }
        rows.clear();
    }
}
