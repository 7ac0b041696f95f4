package io.github.keycloakreplica.protocol;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Everything the replica holds of one subject: the current fact for every attribute and credential
 * id, and the facts that arrived ahead of their turn (the gap buffer). It applies the stream
 * contract's table to each fact it is offered, drains the buffer as gaps fill, and fast-forwards to a
 * snapshot. Pure: the store loads and saves it, the sync package turns what it applied into Keycloak
 * changes. Whatever order and duplication facts arrive in, once every version has been offered (or
 * covered by a snapshot) the ledger holds exactly what in-order delivery would have produced.
 */
public final class Ledger {

    /** The reserved attribute whose presence makes the subject a Keycloak user. */
    public static final Fact.Key USERNAME = Fact.Key.attribute("username");

    private final Map<Fact.Key, Fact> current = new HashMap<>();
    private final Map<Fact.Key, NavigableMap<Long, Fact>> gaps = new HashMap<>();

    public static Ledger empty() {
        return new Ledger();
    }

    public static Ledger of(Collection<Fact> current, Collection<Fact> buffered) {
        Ledger ledger = new Ledger();
        current.forEach(f -> ledger.current.put(f.key(), f));
        buffered.forEach(f -> ledger.gaps.computeIfAbsent(f.key(), k -> new TreeMap<>()).put(f.version(), f));
        return ledger;
    }

    /** An independent copy, to go back to when an event is refused after it was offered. */
    public Ledger copy() {
        Ledger copy = new Ledger();
        copy.current.putAll(current);
        gaps.forEach((key, pending) -> copy.gaps.put(key, new TreeMap<>(pending)));
        return copy;
    }

    /**
     * Offers one fact. Returns the verdict of the apply table for it; the facts that became current
     * (this one, and any buffered ones it unblocked, in version order) are appended to {@code applied}.
     */
    public VersionRule.Verdict offer(Fact fact, List<Fact> applied) {
        Fact.Key key = fact.key();
        VersionRule.Verdict verdict = VersionRule.judge(version(key), fact.version());
        switch (verdict) {
            case APPLY -> {
                current.put(key, fact);
                applied.add(fact);
                drain(key, applied);
            }
            case GAP -> gaps.computeIfAbsent(key, k -> new TreeMap<>()).putIfAbsent(fact.version(), fact);
            case STALE -> {
                // Discarded: the caller counts it.
            }
        }
        return verdict;
    }

    /**
     * Fast-forwards to a snapshot of the subject: every fact newer than the stored one becomes current,
     * buffered facts at or below the snapshot's version are dropped, and the rest of the buffer drains.
     * Facts the snapshot leaves out keep their state.
     */
    public void fastForward(Collection<Fact> snapshot, List<Fact> applied) {
        for (Fact fact : snapshot) {
            Fact.Key key = fact.key();
            if (fact.version() > version(key)) {
                current.put(key, fact);
                applied.add(fact);
            }
            drain(key, applied);
        }
    }

    private void drain(Fact.Key key, List<Fact> applied) {
        NavigableMap<Long, Fact> pending = gaps.get(key);
        if (pending == null) {
            return;
        }
        while (true) {
            long next = version(key) + 1;
            pending.headMap(next, false).clear();
            Fact fact = pending.remove(next);
            if (fact == null) {
                break;
            }
            current.put(key, fact);
            applied.add(fact);
        }
        if (pending.isEmpty()) {
            gaps.remove(key);
        }
    }

    public long version(Fact.Key key) {
        Fact fact = current.get(key);
        return fact == null ? 0 : fact.version();
    }

    public Fact current(Fact.Key key) {
        return current.get(key);
    }

    /** The subject is a Keycloak user while its username is present. */
    public boolean live() {
        Fact username = current.get(USERNAME);
        return username != null && username.present();
    }

    public boolean known() {
        return !current.isEmpty() || !gaps.isEmpty();
    }

    public Collection<Fact> currentFacts() {
        return Collections.unmodifiableCollection(current.values());
    }

    public List<Fact> bufferedFacts() {
        List<Fact> all = new ArrayList<>();
        gaps.values().forEach(pending -> all.addAll(pending.values()));
        return all;
    }

    public boolean hasGap(Fact.Key key) {
        return gaps.containsKey(key);
    }

    /** The current facts of one kind, by name. */
    public Map<String, Fact> current(Fact.Kind kind) {
        Map<String, Fact> facts = new HashMap<>();
        current.forEach((key, fact) -> {
            if (key.kind() == kind) {
                facts.put(key.name(), fact);
            }
        });
        return facts;
    }
}
