package io.github.keycloakreplica.apply;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Set;

/**
 * Tells a failure of the infrastructure (the database went away, a lock timed out, a deadlock) from a
 * failure of the event itself. Only the latter may turn a record into a dead letter; the former is
 * waited out and the record applied later, or a valid event would be lost to a database restart.
 */
public final class TransientFailure {

    /**
     * SQLState classes that say nothing about the statement: 08 connection exception, 40 transaction
     * rollback (serialization failure, deadlock), 53 insufficient resources, 57 operator intervention
     * (e.g. PostgreSQL's admin shutdown), 58 system error; and HYT00/HYT01, timeouts.
     */
    private static final Set<String> TRANSIENT_SQL_STATE_CLASSES = Set.of("08", "40", "53", "57", "58");

    /** JPA's and Hibernate's names for lock and timeout failures, matched by name to stay free of their types. */
    private static final Set<String> TRANSIENT_TYPES = Set.of(
            "jakarta.persistence.LockTimeoutException",
            "jakarta.persistence.PessimisticLockException",
            "jakarta.persistence.QueryTimeoutException",
            "org.hibernate.exception.JDBCConnectionException",
            "org.hibernate.exception.LockAcquisitionException",
            "org.hibernate.exception.LockTimeoutException",
            "org.hibernate.PessimisticLockException");

    private TransientFailure() {
    }

    public static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLTransientException || t instanceof SQLRecoverableException || TRANSIENT_TYPES.contains(t.getClass().getName())) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().length() >= 2) {
                String state = sql.getSQLState();
                if (TRANSIENT_SQL_STATE_CLASSES.contains(state.substring(0, 2)) || state.startsWith("HYT")) {
                    return true;
                }
            }
        }
        return false;
    }
}
