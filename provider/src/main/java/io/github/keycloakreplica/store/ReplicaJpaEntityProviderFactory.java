package io.github.keycloakreplica.store;

import org.keycloak.Config;
import org.keycloak.connections.jpa.entityprovider.JpaEntityProvider;
import org.keycloak.connections.jpa.entityprovider.JpaEntityProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;

import java.util.List;

/** Registers the replica's tables with Keycloak's own JPA persistence unit and Liquibase run. */
public final class ReplicaJpaEntityProviderFactory implements JpaEntityProviderFactory, JpaEntityProvider {

    public static final String PROVIDER_ID = "replica-store";

    static final List<Class<?>> ENTITIES = List.of(
            ReplicaSubjectEntity.class,
            ReplicaGapEntity.class,
            ReplicaEventLogEntity.class,
            ReplicaUnresolvedEntity.class,
            ReplicaPositionEntity.class,
            ReplicaDeadLetterEntity.class,
            ReplicaLinkEntity.class,
            ReplicaLinkTransitionEntity.class,
            ReplicaSeveredSignInEntity.class,
            ReplicaOperationEntity.class,
            PublisherIntentEntity.class,
            PublisherSubjectEntity.class,
            PublisherOutboxEntity.class,
            PublisherRelayEntity.class,
            PublisherWriteRequestEntity.class);

    @Override
    public JpaEntityProvider create(KeycloakSession session) {
        return this;
    }

    @Override
    public List<Class<?>> getEntities() {
        return ENTITIES;
    }

    @Override
    public String getChangelogLocation() {
        return "META-INF/keycloak-replica-changelog.xml";
    }

    @Override
    public String getFactoryId() {
        return PROVIDER_ID;
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public void init(Config.Scope config) {
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
    }

    @Override
    public void close() {
    }
}
