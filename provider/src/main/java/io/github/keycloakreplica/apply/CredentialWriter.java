package io.github.keycloakreplica.apply;

import io.github.keycloakreplica.protocol.Fact;
import io.github.keycloakreplica.protocol.SubjectApply;
import io.github.keycloakreplica.protocol.SubjectIds;
import io.github.keycloakreplica.stream.ReplicatedCredential;
import org.keycloak.component.ComponentModel;
import org.keycloak.credential.CredentialModel;
import org.keycloak.credential.UserCredentialStore;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserProvider;
import org.keycloak.models.jpa.UserAdapter;
import org.keycloak.models.jpa.entities.CredentialEntity;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Makes a user's rows in Keycloak's credential table what the ledger projects (the credentials of
 * {@code CredentialProjection}, keyed by {@link SubjectIds#credentialId}). An existing user's go through
 * Keycloak's credential store, and only those that differ are written, so what sign-in wrote into the
 * others stays; a user the apply in progress created gets its rows as entities through
 * {@link NewUserWriter}, without the reads the store makes first.
 */
final class CredentialWriter {

    /** JpaUserCredentialStore's distance between two credentials' priorities. */
    private static final int CREDENTIAL_PRIORITY_STEP = 10;

    private final RealmModel realm;
    private final UserProvider local;
    private final CredentialFormat format;
    private final NewUserWriter newUsers;

    CredentialWriter(KeycloakSession session, RealmModel realm, ComponentModel component, UserProvider local, NewUserWriter newUsers) {
        this.realm = realm;
        this.local = local;
        this.format = new CredentialFormat(session, new CredentialSanity(hashCostFactor(component)));
        this.newUsers = newUsers;
    }

    /** The component's ceiling; a stored value that no longer parses (the component form refuses one) counts as the default. */
    private static int hashCostFactor(ComponentModel component) {
        try {
            return CredentialSanity.costFactorSetting(component == null ? null : component.get(CredentialSanity.SETTING));
        } catch (IllegalArgumentException e) {
            return CredentialSanity.DEFAULT_MAX_HASH_COST_FACTOR;
        }
    }

    /** Refuses, before anything is written, a credential this Keycloak could not verify (see {@link CredentialFormat}). */
    void check(ReplicatedCredential credential) {
        format.check(format.toModel(credential, credential.id()));
    }

    /**
     * Makes the user's credentials exactly these (the ledger's projection, by upstream credential id):
     * removes the others, creates the missing ones and those of another type, rewrites the changed ones
     * that differ, and leaves the rest alone, with what sign-in wrote into them (see {@code UserChange}).
     *
     * @param changed upstream ids of the credentials whose facts just changed
     * @param held    the user's credentials as read for the whole batch, or null to read them now
     * @return whether anything had to change
     */
    boolean set(UserModel user, Map<String, Fact> wanted, Set<String> changed, UserHoldings held) {
        Set<String> rewrite = new HashSet<>();
        changed.forEach(id -> rewrite.add(SubjectIds.credentialId(id)));
        Map<String, ReplicatedCredential> byKeycloakId = new LinkedHashMap<>();
        wanted.values().forEach(fact -> byKeycloakId.put(SubjectIds.credentialId(fact.name()), SubjectApply.credential(fact)));
        Map<String, CredentialEntity> created = newUsers.credentialRows(user.getId());
        if (created != null) {
            new ArrayList<>(created.keySet()).stream().filter(id -> !byKeycloakId.containsKey(id))
                    .forEach(id -> newUsers.remove(created.remove(id)));
            byKeycloakId.forEach((id, credential) -> {
                if (!created.containsKey(id) || rewrite.contains(id)) {
                    putNew(user, created, id, format.toModel(credential, id));
                }
            });
            return true;
        }
        UserCredentialStore store = credentialStore();
        Map<String, StoredCredential> stored = new LinkedHashMap<>();
        if (held != null) {
            held.credentials().values().forEach(c -> stored.put(c.getId(), StoredCredential.of(c)));
        } else {
            store.getStoredCredentialsStream(realm, user).forEach(c -> stored.put(c.getId(), StoredCredential.of(c)));
        }
        boolean written = false;
        for (String id : stored.keySet()) {
            if (!byKeycloakId.containsKey(id)) {
                store.removeStoredCredential(realm, user, id);
                written = true;
            }
        }
        for (Map.Entry<String, ReplicatedCredential> entry : byKeycloakId.entrySet()) {
            StoredCredential existing = stored.get(entry.getKey());
            CredentialModel model = format.toModel(entry.getValue(), entry.getKey());
            boolean sameType = existing != null && existing.type().equals(model.getType());
            if (sameType && (!rewrite.contains(entry.getKey()) || existing.matches(entry.getValue()))) {
                continue;
            }
            if (existing != null && !existing.type().equals(model.getType())) {
                store.removeStoredCredential(realm, user, entry.getKey());
                existing = null;
            }
            if (existing == null) {
                store.createCredential(realm, user, model);
            } else {
                store.updateCredential(realm, user, model);
            }
            written = true;
        }
        return written;
    }

    /**
     * A new user's credential, written as Keycloak's JPA credential store writes one (priority after the
     * user's others) without the reads it makes first: this user has no rows but the ones written here.
     */
    private void putNew(UserModel user, Map<String, CredentialEntity> created, String keycloakId, CredentialModel model) {
        CredentialEntity previous = created.remove(keycloakId);
        if (previous != null) {
            newUsers.remove(previous);
        }
        CredentialEntity entity = new CredentialEntity();
        entity.setId(keycloakId);
        entity.setCreatedDate(model.getCreatedDate());
        entity.setUserLabel(model.getUserLabel());
        entity.setType(model.getType());
        entity.setSecretData(model.getSecretData());
        entity.setCredentialData(model.getCredentialData());
        entity.setUser(((UserAdapter) user).getEntity());
        entity.setPriority(created.values().stream().mapToInt(CredentialEntity::getPriority).max().orElse(0) + CREDENTIAL_PRIORITY_STEP);
        newUsers.persist(entity);
        created.put(keycloakId, entity);
    }

    private UserCredentialStore credentialStore() {
        if (!(local instanceof UserCredentialStore store)) {
            throw new IllegalStateException("Keycloak's local user storage " + local.getClass().getName() + " does not store credentials");
        }
        return store;
    }
}
