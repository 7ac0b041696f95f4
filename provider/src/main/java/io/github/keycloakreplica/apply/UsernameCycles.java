package io.github.keycloakreplica.apply;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Usernames rotated among subjects (A given B's name, B given C's, C given A's; two people swapping
 * names is the shortest case): every one waits for the next to let go, and none ever will, although
 * in-order delivery would have renamed them all. Such a cycle is found here and broken by moving one
 * member's user aside to a name nobody can hold, after which each takes its name in turn.
 */
public final class UsernameCycles {

    private UsernameCycles() {
    }

    /**
     * @param waitsFor each waiting subject, to the subject whose user holds the username it waits for
     * @return every cycle, each in waiting order (the first waits for the second, …, the last for the first)
     */
    public static List<List<String>> find(Map<String, String> waitsFor) {
        List<List<String>> cycles = new ArrayList<>();
        Set<String> done = new HashSet<>();
        for (String start : waitsFor.keySet()) {
            if (done.contains(start)) {
                continue;
            }
            Map<String, Integer> path = new LinkedHashMap<>();
            String at = start;
            while (at != null && !done.contains(at) && !path.containsKey(at)) {
                path.put(at, path.size());
                at = waitsFor.get(at);
            }
            if (at != null && path.containsKey(at)) {
                List<String> members = new ArrayList<>(path.keySet());
                cycles.add(List.copyOf(members.subList(path.get(at), members.size())));
            }
            done.addAll(path.keySet());
        }
        return cycles;
    }
}
