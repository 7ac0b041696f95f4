package io.github.keycloakreplica.primary;

import io.github.keycloakreplica.config.RealmFilePlaceholders;
import io.github.keycloakreplica.config.SettingsRefusedException;
import io.github.keycloakreplica.kafka.ProducerSettings;
import io.github.keycloakreplica.kafka.PublisherRuntime;
import io.github.keycloakreplica.publisher.PublisherComponents;
import io.github.keycloakreplica.publisher.PublisherConfig;
import io.github.keycloakreplica.publisher.PublisherConfigProperties;
import io.github.keycloakreplica.store.AfterCommit;
import io.github.keycloakreplica.store.PublisherIntentEntity;
import io.github.keycloakreplica.store.PublisherRows;
import io.github.keycloakreplica.stream.LogSafe;
import io.github.keycloakreplica.stream.StreamCodec;
import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.component.ComponentModel;
import org.keycloak.component.ComponentValidationException;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.services.ui.extend.UiPageProvider;
import org.keycloak.services.ui.extend.UiPageProviderFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code replica-publisher} page of the admin console: a primary realm's publisher is enabled and set up
 * there, or from realm import JSON, as one component of the page type. Keycloak keeps the settings and calls
 * this factory to check them and when the component is created, changed or removed.
 */
public final class PublisherPageFactory implements UiPageProvider, UiPageProviderFactory<ComponentModel> {

    public static final String PROVIDER_ID = PublisherComponents.PROVIDER_ID;

    private static final Logger log = Logger.getLogger(PublisherPageFactory.class);
    /** The type metadata key Keycloak 26.7's admin console reads for a page's list columns (PageList.tsx). */
    static final String DISPLAY_FIELDS = "displayFields";

    private PublisherRuntime runtime;

    @Override
    public UiPageProvider create(KeycloakSession session) {
        return this;
    }

    @Override
    public void init(Config.Scope config) {
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        runtime = new PublisherRuntime(factory, new StreamCodec());
        factory.register(runtime::onEvent);
    }

    @Override
    public void close() {
        if (runtime != null) {
            runtime.close();
        }
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public String getHelpText() {
        return "Makes this realm the authority replicas follow: every change of a person (identity and credentials) is recorded "
                + "with the change itself and published to Kafka as the identity and credential streams, with heartbeats. A Kafka "
                + "outage never slows or fails anything here; what waits is published in order when the brokers are back.";
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return PublisherConfigProperties.LIST;
    }

    /**
     * The columns of the page's list, the first one the link to the settings: without them the console shows the
     * first three settings, and the link would read "true" (Enabled).
     */
    @Override
    public Map<String, Object> getTypeMetadata() {
        return Map.of(DISPLAY_FIELDS, List.of(PublisherConfig.TOPIC_PREFIX, PublisherConfig.BOOTSTRAP_SERVERS, PublisherConfig.ENABLED));
    }

    @Override
    public void validateConfiguration(KeycloakSession session, RealmModel realm, ComponentModel model)
            throws ComponentValidationException {
        // First, as every other check reads the settings: a realm created through admin REST or the console's
        // realm file upload brings a realm file's placeholders as written.
        RealmFilePlaceholders.Outcome placeholders = RealmFilePlaceholders.settle(model.getConfig(), PublisherConfigProperties::label);
        if (placeholders.refusal() != null) {
            throw new SettingsRefusedException(placeholders.refusal());
        }
        if (placeholders.notice() != null) {
            log.warnf("publisher '%s' of realm '%s': %s", LogSafe.escape(model.getName()), LogSafe.escape(realm.getName()),
                    placeholders.notice());
        }
        List<String> problems = problems(PublisherConfig.of(model, realm.getName()));
        if (!problems.isEmpty()) {
            throw new SettingsRefusedException(String.join(" ", problems));
        }
        Optional<ComponentModel> other = PublisherComponents.all(realm).filter(c -> !c.getId().equals(model.getId())).findFirst();
        if (other.isPresent()) {
            String name = other.get().getName() == null ? PROVIDER_ID : other.get().getName();
            throw new SettingsRefusedException("Realm '" + realm.getName() + "' already has a publisher ('" + name
                    + "'): a realm publishes its streams through one, so that each person's versions go up one at a time. Change "
                    + "that one's settings, or remove it first.");
        }
    }

    /** Everything wrong with the settings, the Kafka client properties included; empty when they may be saved. */
    static List<String> problems(PublisherConfig config) {
        List<String> problems = new ArrayList<>(config.problems());
        problems.addAll(ProducerSettings.problems(config));
        return problems;
    }

    /**
     * A publisher enabled (again) compares the whole realm with what it last published: whatever changed while none
     * was enabled is published then, on the versions the realm already gave.
     */
    @Override
    public void onCreate(KeycloakSession session, RealmModel realm, ComponentModel model) {
        PublisherRows.of(session).addIntent(realm.getId(), PublisherIntentEntity.WHOLE_REALM, "publisher enabled", System.currentTimeMillis());
        relaysChanged(session);
    }

    /** Switched on again: what changed while it was off (no intent was recorded) is found by comparing the realm. */
    @Override
    public void onUpdate(KeycloakSession session, RealmModel realm, ComponentModel oldModel, ComponentModel newModel) {
        if (!PublisherConfig.isOn(oldModel.get(PublisherConfig.ENABLED)) && PublisherConfig.isOn(newModel.get(PublisherConfig.ENABLED))) {
            PublisherRows.of(session).addIntent(realm.getId(), PublisherIntentEntity.WHOLE_REALM, "publisher switched on",
                    System.currentTimeMillis());
        }
        relaysChanged(session);
    }

    /** The ledger stays: a publisher enabled again later must go on from the versions replicas already hold. */
    @Override
    public void preRemove(KeycloakSession session, RealmModel realm, ComponentModel model) {
        relaysChanged(session);
    }

    private void relaysChanged(KeycloakSession session) {
        if (runtime != null) {
            AfterCommit.run(session, runtime::requestReconcile);
        }
    }
}
