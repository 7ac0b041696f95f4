package io.github.keycloakreplica.protocol;

import java.util.Map;

/**
 * What the replica knows of one subject: whether it has ever seen it, whether the subject is
 * deleted (then the attribute versions are its tombstone), and the stored version of each
 * attribute and each credential id. A missing entry is version 0.
 */
public record SubjectState(boolean known, boolean deleted, Map<String, Long> attributeVersions,
                           Map<String, Long> credentialVersions) {

    public static final SubjectState UNKNOWN = new SubjectState(false, false, Map.of(), Map.of());

    public SubjectState {
        attributeVersions = Map.copyOf(attributeVersions);
        credentialVersions = Map.copyOf(credentialVersions);
    }

    public boolean live() {
        return known && !deleted;
    }

    public long attributeVersion(String name) {
        return attributeVersions.getOrDefault(name, 0L);
    }

    public long credentialVersion(String id) {
        return credentialVersions.getOrDefault(id, 0L);
    }
}
