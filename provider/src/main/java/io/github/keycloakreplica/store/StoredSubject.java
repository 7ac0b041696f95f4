package io.github.keycloakreplica.store;

import io.github.keycloakreplica.protocol.SubjectState;

import java.util.HashMap;
import java.util.Map;

/** A subject row with its version rows, loaded together so a batch decides without further queries. */
public final class StoredSubject {

    private final ReplicaSubjectEntity entity;
    private final Map<String, ReplicaVersionEntity> attributes = new HashMap<>();
    private final Map<String, ReplicaVersionEntity> credentials = new HashMap<>();

    StoredSubject(ReplicaSubjectEntity entity) {
        this.entity = entity;
    }

    void add(ReplicaVersionEntity version) {
        (version.getKind() == ReplicaVersionEntity.Kind.ATTRIBUTE ? attributes : credentials).put(version.getName(), version);
    }

    public ReplicaSubjectEntity entity() {
        return entity;
    }

    public String userId() {
        return entity.getUserId();
    }

    ReplicaVersionEntity version(ReplicaVersionEntity.Kind kind, String name) {
        return (kind == ReplicaVersionEntity.Kind.ATTRIBUTE ? attributes : credentials).get(name);
    }

    public java.util.List<ReplicaVersionEntity> versions() {
        java.util.List<ReplicaVersionEntity> all = new java.util.ArrayList<>(attributes.values());
        all.addAll(credentials.values());
        return all;
    }

    public SubjectState state() {
        Map<String, Long> attributeVersions = new HashMap<>();
        attributes.forEach((name, v) -> attributeVersions.put(name, v.getVersion()));
        Map<String, Long> credentialVersions = new HashMap<>();
        credentials.forEach((name, v) -> credentialVersions.put(name, v.getVersion()));
        return new SubjectState(true, entity.isDeleted(), attributeVersions, credentialVersions);
    }
}
