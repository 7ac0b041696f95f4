package io.github.keycloakreplica.primary;

import io.github.keycloakreplica.publisher.Materializer;
import io.github.keycloakreplica.stream.EventSchemas;
import io.github.keycloakreplica.stream.StreamCodec;
import io.github.keycloakreplica.stream.WritePathCodec;
import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.services.resource.RealmResourceProvider;
import org.keycloak.services.resource.RealmResourceProviderFactory;

import java.time.Clock;

/**
 * Mounts a primary realm's credential write path at {@code /realms/{realm}/replica-write-path}. The codecs load the
 * stream's JSON schemas once, here, not per request.
 */
public final class WritePathResourceProviderFactory implements RealmResourceProviderFactory {

    public static final String PROVIDER_ID = "replica-write-path";

    private WritePathCodec codec;
    private Materializer materializer;

    @Override
    public RealmResourceProvider create(KeycloakSession session) {
        return new RealmResourceProvider() {
            @Override
            public Object getResource() {
                return new WritePathResource(session, codec, materializer);
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public void init(Config.Scope config) {
        EventSchemas schemas = new EventSchemas();
        StreamCodec events = new StreamCodec(schemas);
        codec = new WritePathCodec(events, schemas);
        materializer = new Materializer(events, Clock.systemUTC());
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
    }

    @Override
    public void close() {
    }
}
