package io.github.keycloakreplica.store;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The ids of the last events a subject met, oldest first, as its row keeps them (one per line). Kept so
 * that a redelivered event is dropped by its id, whatever became of its versions since: a redelivered
 * deletion, say, whose versions a snapshot repair has moved past.
 */
public final class RecentEventIds {

    /** How many ids a subject keeps: as many as the event log lines it keeps. */
    public static final int KEEP = 100;

    private RecentEventIds() {
    }

    public static List<String> read(String column) {
        if (column == null || column.isEmpty()) {
            return List.of();
        }
        return List.of(column.split("\n"));
    }

    /**
     * The column after these ids were met: each appears once, at the position of its latest meeting,
     * and only the newest {@code keep} remain. An id with a line break (never one an envelope accepts)
     * is left out rather than split.
     */
    public static String add(String column, Collection<String> met, int keep) {
        Set<String> ordered = new LinkedHashSet<>(read(column));
        for (String id : met) {
            if (id != null && !id.isEmpty() && id.indexOf('\n') < 0) {
                ordered.remove(id);
                ordered.add(id);
            }
        }
        Deque<String> newest = new ArrayDeque<>(ordered);
        while (newest.size() > keep) {
            newest.removeFirst();
        }
        return newest.isEmpty() ? null : String.join("\n", newest);
    }
}
