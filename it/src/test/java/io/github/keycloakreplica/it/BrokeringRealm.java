package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.keycloakreplica.stack.KeycloakHttp;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.github.keycloakreplica.it.PrimarySite.REALM;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A second realm on the primary acting as an OpenID Connect identity provider for realm {@value PrimarySite#REALM},
 * with one person and one client, and the identity provider in the shared realm that points to it: its sync mode
 * FORCE, a mapper that takes the {@code family_name} claim into the person's last name at every sign-in, and one
 * that gives the person the attribute {@value #ORIGIN} (the provider's alias) when the first sign-in creates them.
 * Closing removes both, so the shared realm is left as it was.
 */
final class BrokeringRealm implements AutoCloseable {

    /** The attribute the hardcoded mapper sets on first sign-in only; unmanaged attributes are enabled in the shared realm. */
    static final String ORIGIN = "paths-origin";
    private static final String CLIENT_ID = "acme-broker";
    private static final String CLIENT_SECRET = "broker-secret";

    final String name;
    final String alias;
    final String username;
    final String password = "a password at the identity provider";
    private final KeycloakHttp primary;

    BrokeringRealm(PrimarySite site, String username, String firstName, String lastName) {
        this.primary = site.primary();
        this.name = People.uniqueName("paths-idp");
        this.alias = People.uniqueName("paths-broker");
        this.username = username;
        String base = site.primaryServer().baseUrl().toString();
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("username", username);
        user.put("email", username + "@idp.example");
        user.put("emailVerified", true);
        user.put("firstName", firstName);
        user.put("lastName", lastName);
        user.put("enabled", true);
        user.put("credentials", List.of(Map.of("type", "password", "value", password, "temporary", false)));
        Map<String, Object> client = Map.of("clientId", CLIENT_ID, "enabled", true, "publicClient", false, "secret", CLIENT_SECRET,
                "standardFlowEnabled", true, "directAccessGrantsEnabled", false,
                "redirectUris", List.of(base + "/realms/" + REALM + "/broker/" + alias + "/endpoint*"));
        created(primary.admin("POST", "", Map.of("realm", name, "enabled", true, "users", List.of(user), "clients", List.of(client))),
                "realm " + name);
        try {
            String issuer = base + "/realms/" + name;
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("issuer", issuer);
            config.put("authorizationUrl", issuer + "/protocol/openid-connect/auth");
            config.put("tokenUrl", issuer + "/protocol/openid-connect/token");
            config.put("userInfoUrl", issuer + "/protocol/openid-connect/userinfo");
            config.put("jwksUrl", issuer + "/protocol/openid-connect/certs");
            config.put("useJwksUrl", "true");
            config.put("validateSignature", "true");
            config.put("clientId", CLIENT_ID);
            config.put("clientSecret", CLIENT_SECRET);
            config.put("clientAuthMethod", "client_secret_post");
            config.put("defaultScope", "openid profile email");
            config.put("syncMode", "FORCE");
            created(primary.admin("POST", REALM + "/identity-provider/instances", Map.of("alias", alias, "providerId", "oidc",
                    "enabled", true, "trustEmail", true, "config", config)), "identity provider " + alias);
            created(primary.admin("POST", REALM + "/identity-provider/instances/" + alias + "/mappers", Map.of("name", "last name",
                    "identityProviderAlias", alias, "identityProviderMapper", "oidc-user-attribute-idp-mapper",
                    "config", Map.of("syncMode", "FORCE", "claim", "family_name", "user.attribute", "lastName"))), "last name mapper");
            created(primary.admin("POST", REALM + "/identity-provider/instances/" + alias + "/mappers", Map.of("name", "origin",
                    "identityProviderAlias", alias, "identityProviderMapper", "hardcoded-attribute-idp-mapper",
                    "config", Map.of("syncMode", "IMPORT", "attribute", ORIGIN, "attribute.value", alias))), "origin mapper");
        } catch (RuntimeException | AssertionError e) {
            close();
            throw e;
        }
    }

    /** Changes the person's last name at the identity provider, as its own administrator would. */
    void renameLast(String lastName) {
        JsonNode found = ok(primary.admin("GET", name + "/users?exact=true&username=" + username, null), "the person").json();
        assertThat(found).hasSize(1);
        ObjectNode user = found.get(0).deepCopy();
        user.remove(List.of("userProfileMetadata", "access"));
        user.put("lastName", lastName);
        ok(primary.admin("PUT", name + "/users/" + user.get("id").asText(), user), "the person's new last name");
    }

    @Override
    public void close() {
        primary.admin("DELETE", REALM + "/identity-provider/instances/" + alias, null);
        primary.admin("DELETE", name, null);
    }

    private static void created(KeycloakHttp.Response r, String what) {
        assertThat(r.status()).as(what + ": " + r).isEqualTo(201);
    }

    private static KeycloakHttp.Response ok(KeycloakHttp.Response r, String what) {
        assertThat(r.status()).as(what + ": " + r).isBetween(200, 299);
        return r;
    }
}
