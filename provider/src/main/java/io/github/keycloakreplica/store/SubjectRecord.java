package io.github.keycloakreplica.store;

import io.github.keycloakreplica.protocol.Fact;
import io.github.keycloakreplica.protocol.Ledger;

import java.util.HashMap;
import java.util.Map;

/**
 * One subject as loaded for a batch: its row (null until first saved), its gap buffer's rows, and the
 * ledger read from both, which the batch changes in memory and {@link Ledgers#save} writes back.
 */
public final class SubjectRecord {

    private final String subject;
    private final String userId;
    ReplicaSubjectEntity row;
    /** The versions the row holds, to tell which facts a save changes. */
    final Map<Fact.Key, Long> storedVersions = new HashMap<>();
    final Map<String, ReplicaGapEntity> gapRows = new HashMap<>();
    private Ledger ledger;
    /** Event log lines the batch will write for this subject, counted on its row when the row is saved. */
    private int newLogLines;
    /** The username the subject waits for (another subject still holds it here), and who holds it since when. */
    private String parkedUsername;
    private String parkedHolder;
    private Long parkedSince;

    SubjectRecord(String subject, String userId, ReplicaSubjectEntity row, Ledger ledger) {
        this.subject = subject;
        this.userId = userId;
        this.row = row;
        this.ledger = ledger;
        if (row != null) {
            parkedUsername = row.getParkedUsername();
            parkedHolder = row.getParkedHolder();
            parkedSince = row.getParkedSince();
        }
    }

    public String subject() {
        return subject;
    }

    public String userId() {
        return userId;
    }

    public Ledger ledger() {
        return ledger;
    }

    /** Puts back the ledger as it was before an event that was then refused. */
    public void restore(Ledger previous) {
        this.ledger = previous;
    }

    /** Null until the subject has been saved once. */
    public ReplicaSubjectEntity row() {
        return row;
    }

    /**
     * Counts lines the batch is about to log, so that saving the row records them with everything else:
     * a new row counted after its insert would cost a bulk load an update per subject.
     */
    public void countLogLines(int lines) {
        newLogLines += lines;
    }

    int takeNewLogLines() {
        int lines = newLogLines;
        newLogLines = 0;
        return lines;
    }

    /** Whether the subject waits for a username another subject still holds. */
    public boolean parked() {
        return parkedUsername != null;
    }

    public String parkedUsername() {
        return parkedUsername;
    }

    public String parkedHolder() {
        return parkedHolder;
    }

    public Long parkedSince() {
        return parkedSince;
    }

    /**
     * The subject waits for a username that {@code holder} (a subject, or a user id when the holder's
     * subject is not known) still holds; waiting for the same username again keeps the time it began.
     */
    public void park(String username, String holder, long now) {
        if (!username.equals(parkedUsername)) {
            parkedSince = now;
        }
        parkedUsername = username;
        parkedHolder = holder;
    }

    public void unpark() {
        parkedUsername = null;
        parkedHolder = null;
        parkedSince = null;
    }

    static String gapKey(Fact.Key key, long version) {
        return key.kind() + "/" + key.name() + "/" + version;
    }
}
