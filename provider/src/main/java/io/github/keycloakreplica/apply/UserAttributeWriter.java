package io.github.keycloakreplica.apply;

import io.github.keycloakreplica.protocol.AttributeName;
import io.github.keycloakreplica.protocol.Fact;
import io.github.keycloakreplica.stream.VersionedValue;
import jakarta.persistence.EntityManager;
import org.keycloak.models.UserModel;
import org.keycloak.models.jpa.JpaModel;
import org.keycloak.models.jpa.entities.UserAttributeEntity;
import org.keycloak.models.jpa.entities.UserEntity;
import org.keycloak.models.utils.KeycloakModelUtils;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Writes a user attribute in place on Keycloak's JPA entities, reusing the rows it has and adding or
 * removing only the difference. {@code UserAdapter.setAttribute} replaces values with a bulk delete,
 * which in batch mode would miss a value written earlier in the same transaction, and which otherwise
 * costs a flush of the whole transaction per attribute. The rows of a user the apply in progress
 * created go through {@link NewUserWriter}.
 */
final class UserAttributeWriter {

    /** Attributes of a replicated user that are the site's, not the upstream's (see ReplicaUserView). */
    private static final Set<String> LOCAL_ATTRIBUTES = Set.of(UserWriter.SUBJECT_ATTRIBUTE, UserModel.LOCALE);

    private final EntityManager em;
    private final NewUserWriter newUsers;

    UserAttributeWriter(EntityManager em, NewUserWriter newUsers) {
        this.em = em;
        this.newUsers = newUsers;
    }

    /**
     * Makes the user's attributes what the ledger's user attribute facts say, and removes those it has no
     * fact for (the site's own, and the columns Keycloak lists among attributes, excepted).
     *
     * @param corrected collects the attributes that differed
     */
    void project(UserModel user, Map<String, Fact> attributes, List<String> corrected) {
        Set<String> named = new HashSet<>();
        for (Fact fact : attributes.values()) {
            AttributeName name = AttributeName.of(fact.name());
            named.add(fact.name());
            if (name.kind() == AttributeName.Kind.USER_ATTRIBUTE) {
                List<String> wanted = new VersionedValue(fact.value(), fact.version()).asList();
                if (!UserProjection.sameValues(user.getAttributeStream(fact.name()).toList(), wanted)) {
                    write(user, fact.name(), wanted);
                    corrected.add(fact.name());
                }
            }
        }
        for (String extra : user.getAttributes().keySet()) {
            if (!named.contains(extra) && !LOCAL_ATTRIBUTES.contains(extra) && !UserProjection.COLUMNS.contains(extra)) {
                write(user, extra, List.of());
                corrected.add(extra);
            }
        }
    }

    /** Makes the user's values of this attribute these, in any order; none removes the attribute. */
    void write(UserModel user, String name, List<String> values) {
        if (!(user instanceof JpaModel<?> model) || !(model.getEntity() instanceof UserEntity entity)) {
            throw new IllegalStateException("Keycloak's local user storage gave a " + user.getClass().getName()
                    + ", not a JPA user; the replica writes users through Keycloak's JPA store only");
        }
        List<UserAttributeEntity> existing = entity.getAttributes().stream().filter(a -> name.equals(a.getName())).collect(Collectors.toList());
        if (UserProjection.sameValues(existing.stream().map(UserAttributeEntity::getValue).toList(), values)) {
            return;
        }
        int kept = Math.min(existing.size(), values.size());
        for (int i = 0; i < kept; i++) {
            existing.get(i).setValue(values.get(i));
        }
        boolean created = newUsers.isNew(user.getId());
        for (UserAttributeEntity extra : existing.subList(kept, existing.size())) {
            entity.getAttributes().remove(extra);
            if (created) {
                newUsers.remove(extra);
            } else {
                em.remove(extra);
            }
        }
        for (String value : values.subList(kept, values.size())) {
            UserAttributeEntity attribute = new UserAttributeEntity();
            attribute.setId(KeycloakModelUtils.generateId());
            attribute.setName(name);
            attribute.setValue(value);
            attribute.setUser(entity);
            if (created) {
                newUsers.persist(attribute);
            } else {
                em.persist(attribute);
            }
            entity.getAttributes().add(attribute);
        }
    }
}
