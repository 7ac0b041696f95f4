package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stack.LocalOpenLdap;

import javax.naming.Context;
import javax.naming.NamingException;
import javax.naming.directory.BasicAttribute;
import javax.naming.directory.BasicAttributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import javax.naming.directory.ModificationItem;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.github.keycloakreplica.it.PrimarySite.REALM;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A primary realm's LDAP user federation on a {@link LocalOpenLdap}: people written into the directory as its
 * administrator would (JNDI, as the root DN), and Keycloak's own LDAP provider configured through admin REST as
 * the admin console does for vendor "Other": read-only, importing, no password kept in Keycloak.
 */
final class LdapFederation {

    static final String USER_STORAGE = "org.keycloak.storage.UserStorageProvider";

    private LdapFederation() {
    }

    /** Adds an inetOrgPerson {@code uid} under the directory's people. */
    static void addPerson(LocalOpenLdap ldap, String uid, String givenName, String surname, String mail) throws NamingException {
        BasicAttributes entry = new BasicAttributes(true);
        BasicAttribute classes = new BasicAttribute("objectClass");
        for (String objectClass : List.of("top", "person", "organizationalPerson", "inetOrgPerson")) {
            classes.add(objectClass);
        }
        entry.put(classes);
        entry.put("uid", uid);
        entry.put("cn", givenName + " " + surname);
        entry.put("sn", surname);
        entry.put("givenName", givenName);
        entry.put("mail", mail);
        DirContext directory = connect(ldap);
        try {
            directory.createSubcontext(dn(ldap, uid), entry).close();
        } finally {
            directory.close();
        }
    }

    /** Replaces one attribute of a person's entry (slapd moves its modifyTimestamp, which a changed-users sync reads). */
    static void replace(LocalOpenLdap ldap, String uid, String attribute, String value) throws NamingException {
        DirContext directory = connect(ldap);
        try {
            directory.modifyAttributes(dn(ldap, uid), new ModificationItem[] {
                    new ModificationItem(DirContext.REPLACE_ATTRIBUTE, new BasicAttribute(attribute, value))});
        } finally {
            directory.close();
        }
    }

    /** Creates the federation component on the primary's realm; returns its id. */
    static String createComponent(KeycloakHttp primary, LocalOpenLdap ldap, String name) {
        KeycloakHttp.Response realm = primary.admin("GET", REALM, null);
        assertThat(realm.status()).as("the realm: " + realm).isEqualTo(200);
        String realmId = realm.json().get("id").asText();
        Map<String, String> config = ldap.keycloakComponentConfig();
        // No pool: a test's few requests gain nothing from one. Small batches and trusted emails, as the test expects.
        config.put("connectionPooling", "false");
        config.put("batchSizeForSync", "100");
        config.put("trustEmail", "true");
        Map<String, List<String>> multivalued = new LinkedHashMap<>();
        config.forEach((key, value) -> multivalued.put(key, List.of(value)));
        PrimarySite.send(primary, "POST", "components", Map.of("name", name, "providerId", "ldap", "providerType", USER_STORAGE,
                "parentId", realmId, "config", multivalued));
        for (JsonNode component : PrimarySite.get(primary, "components?type=" + USER_STORAGE)) {
            if (name.equals(component.path("name").asText())) {
                return component.get("id").asText();
            }
        }
        throw new AssertionError("the LDAP component " + name + " was created but is not listed");
    }

    /** {@code triggerFullSync} or {@code triggerChangedUsersSync}; returns Keycloak's SynchronizationResult. */
    static JsonNode sync(KeycloakHttp primary, String componentId, String action) {
        KeycloakHttp.Response r = primary.admin("POST", REALM + "/user-storage/" + componentId + "/sync?action=" + action, null);
        assertThat(r.status()).as(action + ": " + r).isEqualTo(200);
        return r.json();
    }

    private static String dn(LocalOpenLdap ldap, String uid) {
        return "uid=" + uid + "," + ldap.usersDn();
    }

    private static DirContext connect(LocalOpenLdap ldap) throws NamingException {
        Hashtable<String, String> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.ldap.LdapCtxFactory");
        env.put(Context.PROVIDER_URL, ldap.url());
        env.put(Context.SECURITY_AUTHENTICATION, "simple");
        env.put(Context.SECURITY_PRINCIPAL, ldap.bindDn());
        env.put(Context.SECURITY_CREDENTIALS, ldap.bindCredential());
        return new InitialDirContext(env);
    }
}
