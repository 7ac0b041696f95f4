package io.github.keycloakreplica.apply;

import io.github.keycloakreplica.stream.Topics;

import java.util.Set;

/**
 * The replica component whose users an apply transaction writes, with what every such transaction needs
 * of it: where its records come from, which attributes are critical to access, where it counts.
 */
public record ApplyTarget(String componentId, String realmId, Topics topics, Set<String> criticalAttributes, ReplicaMetrics metrics) {

    public ApplyTarget {
        criticalAttributes = Set.copyOf(criticalAttributes);
    }
}
