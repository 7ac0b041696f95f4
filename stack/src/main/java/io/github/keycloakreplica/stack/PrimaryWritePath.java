package io.github.keycloakreplica.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A primary realm's credential write path as a site's replica component names it: the URL on the primary, and the
 * primary's client for the site (realm-config/acme-primary-realm.json has {@value #SITE_CLIENT}, whose service account
 * holds the realm role replica-site). The primary's port is known only once it runs, so the replica's component is
 * pointed at it through admin REST after both started, as an operator would on the replica's settings page.
 */
public final class PrimaryWritePath {

    public static final String SITE_CLIENT = "replica-site-1";
    /** The realm file's default for {@code REPLICA_WRITE_PATH_CLIENT_SECRET}. */
    public static final String SITE_SECRET = "replica-site-secret";
    private static final String USER_STORAGE = "org.keycloak.storage.UserStorageProvider";

    private PrimaryWritePath() {
    }

    /** The write path of this realm at this primary. */
    public static String url(KeycloakServer primary, String realm) {
        return primary.baseUrl() + "/realms/" + realm + "/replica-write-path/credentials";
    }

    /** Sets the write path of the realm's one replica component at the replica to the primary's, with the site client. */
    public static void use(KeycloakHttp replica, String realm, KeycloakServer primary) {
        KeycloakHttp.Response found = replica.admin("GET", realm + "/components?type=" + USER_STORAGE, null);
        JsonNode components = found.json();
        if (found.status() != 200 || components.size() != 1) {
            throw new StackException("Expected one replica component in realm " + realm + " at " + replica.baseUrl() + ", found: " + found);
        }
        ObjectNode component = (ObjectNode) components.get(0);
        ObjectNode config = (ObjectNode) component.get("config");
        config.putArray("writePathUrl").add(url(primary, realm));
        config.putArray("writePathClientId").add(SITE_CLIENT);
        config.putArray("writePathClientSecret").add(SITE_SECRET);
        KeycloakHttp.Response saved = replica.admin("PUT", realm + "/components/" + component.get("id").asText(), component);
        if (saved.status() != 204) {
            throw new StackException("Could not point realm " + realm + "'s replica component at the primary's write path: " + saved);
        }
    }
}
