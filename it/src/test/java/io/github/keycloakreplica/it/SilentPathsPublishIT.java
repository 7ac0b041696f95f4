package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stack.LocalOpenLdap;
import io.github.keycloakreplica.stack.Stack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.github.keycloakreplica.it.PrimarySite.PROPAGATION;
import static io.github.keycloakreplica.it.PrimarySite.REALM;
import static io.github.keycloakreplica.it.PrimarySite.SILENT_PROPAGATION;
import static io.github.keycloakreplica.it.PrimarySite.clientRoles;
import static io.github.keycloakreplica.it.PrimarySite.get;
import static io.github.keycloakreplica.it.PrimarySite.groups;
import static io.github.keycloakreplica.it.PrimarySite.send;
import static io.github.keycloakreplica.it.PrimarySite.signIn;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The paths of issue 16 on which Keycloak tells a listener little or nothing — partial import, renamed, moved
 * and deleted groups, renamed and deleted clients, a password re-hashed at sign-in, LDAP federation import
 * and sync, workflows — taken at the primary: each reaches the replica (within one reconcile interval where
 * no event fires), and each attribute or credential it changed moved by exactly 1 there, nothing else.
 */
@ExtendWith(PrimaryStack.class)
class SilentPathsPublishIT {

    private static final String PASSWORD = "correct horse battery staple";
    /** What the primary realm's password policy becomes for the re-hash, and what it was (acme-primary-realm.json). */
    private static final String CHEAPER_POLICY = "hashAlgorithm(pbkdf2-sha512) and hashIterations(27500)";
    /** Keycloak's workflow runner commits a step on its own; the primary must show it first. */
    private static final Duration AT_PRIMARY = Duration.ofSeconds(30);

    @Test
    void aPartialImportOverwritingOnePersonAndAddingAnotherReachesTheReplica(PrimarySite site) {
        String existing = People.uniqueName("silent-import");
        String added = People.uniqueName("silent-import-new");
        String id = site.createAtPrimary(PrimarySite.person(existing, "first password"));
        site.awaitSignInAtReplica(existing, "first password");
        String oldCredential = onlyCredential(site.primary(), id);
        ReplicaVersions before = awaitCredential(site, id, oldCredential);

        // As an export would hold them: the existing person under their id, the default role as they hold it.
        Map<String, Object> overwrite = PrimarySite.person(existing, "second password");
        overwrite.put("id", id);
        overwrite.put("lastName", "Imported");
        overwrite.put("attributes", Map.of("department", List.of("imported")));
        overwrite.put("realmRoles", List.of("default-roles-" + REALM));
        Map<String, Object> newcomer = PrimarySite.person(added, "third password");
        newcomer.put("realmRoles", List.of("default-roles-" + REALM));
        KeycloakHttp.Response imported = site.primary().admin("POST", REALM + "/partialImport",
                Map.of("ifResourceExists", "OVERWRITE", "users", List.of(overwrite, newcomer)));
        assertThat(imported.status()).as(imported.toString()).isEqualTo(200);
        assertThat(imported.json().path("overwritten").asInt()).as(imported.toString()).isEqualTo(1);
        assertThat(imported.json().path("added").asInt()).as(imported.toString()).isEqualTo(1);
        assertThat(idAtPrimary(site, existing)).as("overwritten under the id it had").isEqualTo(id);
        String newCredential = onlyCredential(site.primary(), id);

        site.awaitSignInAtReplica(existing, "second password");
        ReplicationIT.assertRefused(site.awaitSignInRefusedAtReplica(existing, "first password"), "Invalid user credentials");
        ReplicaVersions after = ReplicaVersions.await(site, id, PROPAGATION, "lastName", TextNode.valueOf("Imported"));
        before.assertMovedByOne(after, Set.of("lastName", "department"), Set.of(oldCredential, newCredential));
        assertThat(after.credentials().get(oldCredential).present()).as("the overwritten password, revoked").isFalse();
        assertThat(after.credentials().get(newCredential).version()).isEqualTo(1);

        String newId = idAtPrimary(site, added);
        JsonNode arrived = site.awaitAtReplica(newId, PROPAGATION, u -> true);
        assertThat(arrived.get("username").asText()).isEqualTo(added);
        site.awaitSignInAtReplica(added, "third password");
    }

    @Test
    void aGroupRenamedMovedAndDeletedReachesItsMemberAtTheReplica(PrimarySite site) {
        String name = People.uniqueName("silent-group");
        String renamed = name + "-renamed";
        String parent = name + "-parent";
        // The replica realm keeps its own groups from its own configuration: every path the member will hold.
        send(site.replica(), "POST", "groups", Map.of("name", name));
        send(site.replica(), "POST", "groups", Map.of("name", renamed));
        send(site.replica(), "POST", "groups", Map.of("name", parent));
        send(site.replica(), "POST", "groups/" + groupId(site.replica(), "/" + parent) + "/children", Map.of("name", renamed));
        send(site.primary(), "POST", "groups", Map.of("name", name));
        send(site.primary(), "POST", "groups", Map.of("name", parent));
        String group = groupId(site.primary(), "/" + name);
        String parentGroup = groupId(site.primary(), "/" + parent);
        try {
            String id = site.createAtPrimary(PrimarySite.person(People.uniqueName("silent-member"), PASSWORD));
            site.awaitAtReplica(id, PROPAGATION, u -> true);
            send(site.primary(), "PUT", "users/" + id + "/groups/" + group, null);
            ReplicaVersions joined = ReplicaVersions.await(site, id, PROPAGATION, "groups", paths("/" + name));

            send(site.primary(), "PUT", "groups/" + group, Map.of("name", renamed));
            ReplicaVersions afterRename = ReplicaVersions.await(site, id, SILENT_PROPAGATION, "groups", paths("/" + renamed));
            joined.assertMovedByOne(afterRename, Set.of("groups"), Set.of());
            assertThat(groups(site.replica(), id)).containsExactly("/" + renamed);

            send(site.primary(), "POST", "groups/" + parentGroup + "/children", Map.of("id", group, "name", renamed));
            String moved = "/" + parent + "/" + renamed;
            assertThat(groups(site.primary(), id)).as("moved at the primary").containsExactly(moved);
            ReplicaVersions afterMove = ReplicaVersions.await(site, id, SILENT_PROPAGATION, "groups", paths(moved));
            afterRename.assertMovedByOne(afterMove, Set.of("groups"), Set.of());
            assertThat(groups(site.replica(), id)).containsExactly(moved);

            send(site.primary(), "DELETE", "groups/" + group, null);
            ReplicaVersions afterDelete = ReplicaVersions.await(site, id, SILENT_PROPAGATION, "groups", NullNode.getInstance());
            afterMove.assertMovedByOne(afterDelete, Set.of("groups"), Set.of());
            assertThat(groups(site.replica(), id)).isEmpty();
        } finally {
            site.primary().admin("DELETE", REALM + "/groups/" + parentGroup, null);
            site.primary().admin("DELETE", REALM + "/groups/" + group, null);
            for (String path : List.of("/" + name, "/" + renamed, "/" + parent)) {
                KeycloakHttp.Response atReplica = site.replica().admin("GET", REALM + "/group-by-path" + path, null);
                if (atReplica.status() == 200) {
                    site.replica().admin("DELETE", REALM + "/groups/" + atReplica.json().get("id").asText(), null);
                }
            }
        }
    }

    @Test
    void aClientRenamedAndDeletedReachesTheHoldersOfItsRolesAtTheReplica(PrimarySite site) {
        String clientId = People.uniqueName("silent-app");
        String renamed = clientId + "-renamed";
        String role = "silent-reader";
        // The replica realm keeps its own clients: both names, each with the role, as an operator would make it.
        for (String each : List.of(clientId, renamed)) {
            send(site.replica(), "POST", "clients", Map.of("clientId", each, "publicClient", true));
            send(site.replica(), "POST", "clients/" + PrimarySite.clientUuid(site.replica(), each) + "/roles", Map.of("name", role));
        }
        send(site.primary(), "POST", "clients", Map.of("clientId", clientId, "publicClient", true));
        String client = PrimarySite.clientUuid(site.primary(), clientId);
        send(site.primary(), "POST", "clients/" + client + "/roles", Map.of("name", role));
        try {
            String id = site.createAtPrimary(PrimarySite.person(People.uniqueName("silent-holder"), PASSWORD));
            site.awaitAtReplica(id, PROPAGATION, u -> true);
            send(site.primary(), "POST", "users/" + id + "/role-mappings/clients/" + client,
                    List.of(get(site.primary(), "clients/" + client + "/roles/" + role)));
            ReplicaVersions granted = ReplicaVersions.await(site, id, PROPAGATION, "clientRoles." + clientId, paths(role));

            ObjectNode representation = get(site.primary(), "clients/" + client).deepCopy();
            representation.put("clientId", renamed);
            send(site.primary(), "PUT", "clients/" + client, representation);
            ReplicaVersions afterRename = ReplicaVersions.await(site, id, SILENT_PROPAGATION, "clientRoles." + renamed, paths(role));
            granted.assertMovedByOne(afterRename, Set.of("clientRoles." + clientId, "clientRoles." + renamed), Set.of());
            assertThat(clientRoles(site.replica(), id, renamed)).containsExactly(role);
            assertThat(clientRoles(site.replica(), id, clientId)).isEmpty();

            send(site.primary(), "DELETE", "clients/" + client, null);
            ReplicaVersions afterDelete = ReplicaVersions.await(site, id, SILENT_PROPAGATION, "clientRoles." + renamed,
                    NullNode.getInstance());
            afterRename.assertMovedByOne(afterDelete, Set.of("clientRoles." + renamed), Set.of());
            assertThat(clientRoles(site.replica(), id, renamed)).isEmpty();
        } finally {
            site.primary().admin("DELETE", REALM + "/clients/" + client, null);
            for (String each : List.of(clientId, renamed)) {
                for (JsonNode atReplica : get(site.replica(), "clients?clientId=" + each)) {
                    site.replica().admin("DELETE", REALM + "/clients/" + atReplica.get("id").asText(), null);
                }
            }
        }
    }

    /** Keycloak re-hashes a password to a changed policy after the sign-in, in a transaction of its own, with no event. */
    @Test
    void aPasswordReHashedAtSignInReachesTheReplicaWithinOneReconcile(PrimarySite site) {
        String username = People.uniqueName("silent-rehash");
        String id = site.createAtPrimary(PrimarySite.person(username, PASSWORD));
        site.awaitSignInAtReplica(username, PASSWORD);
        String credential = onlyCredential(site.primary(), id);
        assertThat(hashIterations(site.primary(), id)).isEqualTo(210_000);
        ReplicaVersions before = awaitCredential(site, id, credential);
        long version = before.credentials().get(credential).version();

        String policy = realm(site.primary()).path("passwordPolicy").asText();
        setPasswordPolicy(site.primary(), CHEAPER_POLICY);
        try {
            assertThat(signIn(site.primary(), username, PASSWORD).status()).isEqualTo(200);
            site.awaitReplica("the password re-hashed at the primary", AT_PRIMARY, () -> hashIterations(site.primary(), id), n -> n == 27_500);
        } finally {
            setPasswordPolicy(site.primary(), policy);
        }
        assertThat(onlyCredential(site.primary(), id)).as("re-hashed in place").isEqualTo(credential);

        ReplicaVersions after = ReplicaVersions.of(site.awaitReplica("the re-hashed password at the replica", SILENT_PROPAGATION,
                () -> site.replicaSubject(id).orElseThrow(), s -> s.at("/credentials/" + credential + "/version").asLong() > version));
        before.assertMovedByOne(after, Set.of(), Set.of(credential));
        site.awaitSignInAtReplica(username, PASSWORD);
    }

    @Test
    void peopleImportedAndSyncedFromLdapReachTheReplicaAndLeaveWithTheirFederation(PrimarySite site) throws Exception {
        assertThat(LocalOpenLdap.available()).as("OpenLDAP for the federation test: " + LocalOpenLdap.INSTALL_HINT).isTrue();
        LocalOpenLdap ldap = LocalOpenLdap.load(Stack.newRunDir().resolve("silent-openldap"), 0);
        String component = null;
        try {
            String prefix = People.uniqueName("silent-ldap");
            String ann = prefix + "-ann";
            String bob = prefix + "-bob";
            LdapFederation.addPerson(ldap, ann, "Ann", "Archer", ann + "@example.com");
            LdapFederation.addPerson(ldap, bob, "Bob", "Baker", bob + "@example.com");
            component = LdapFederation.createComponent(site.primary(), ldap, prefix);

            JsonNode full = LdapFederation.sync(site.primary(), component, "triggerFullSync");
            assertThat(full.path("added").asInt()).as(full.toString()).isEqualTo(2);
            String annId = idAtPrimary(site, ann);
            String bobId = idAtPrimary(site, bob);
            for (String id : List.of(annId, bobId)) {
                JsonNode atPrimary = site.atPrimary(id);
                assertThat(atPrimary.path("federationLink").asText()).isEqualTo(component);
                JsonNode atReplica = site.awaitAtReplica(id, SILENT_PROPAGATION, u -> true);
                for (String field : List.of("username", "email", "firstName", "lastName", "enabled", "emailVerified")) {
                    assertThat(atReplica.path(field)).as(field + " of " + atPrimary).isEqualTo(atPrimary.path(field));
                }
                // The password stays in the directory: the primary lists it as the federation's (no id, nothing stored
                // in Keycloak's database), so there is nothing to publish, and the replica has no credential.
                for (JsonNode credential : get(site.primary(), "users/" + id + "/credentials")) {
                    assertThat(credential.has("id")).as("stored in Keycloak: " + credential).isFalse();
                    assertThat(credential.path("federationLink").asText()).as(credential.toString()).isEqualTo(component);
                }
                assertThat(get(site.replica(), "users/" + id + "/credentials")).isEmpty();
            }
            ReplicaVersions annBefore = ReplicaVersions.await(site, annId, PROPAGATION, "lastName", TextNode.valueOf("Archer"));
            ReplicaVersions bobBefore = ReplicaVersions.await(site, bobId, PROPAGATION, "lastName", TextNode.valueOf("Baker"));
            assertThat(annBefore.credentials()).as("credentials published for an LDAP person").isEmpty();

            // A changed-users sync reads the entries modified since the last sync, to the second.
            Thread.sleep(2_000);
            LdapFederation.replace(ldap, ann, "sn", "Carver");
            JsonNode changed = LdapFederation.sync(site.primary(), component, "triggerChangedUsersSync");
            // Entries created in the second of the full sync may be read again: Bob too, unchanged.
            assertThat(changed.path("updated").asInt()).as(changed.toString()).isBetween(1, 2);
            assertThat(site.atPrimary(annId).path("lastName").asText()).isEqualTo("Carver");
            ReplicaVersions annAfter = ReplicaVersions.await(site, annId, SILENT_PROPAGATION, "lastName", TextNode.valueOf("Carver"));
            // Keycloak's own "modify date" mapper also copies the entry's modifyTimestamp into an attribute.
            Set<String> moved = annBefore.changedAttributes(annAfter);
            assertThat(moved).contains("lastName").isSubsetOf("lastName", "modifyTimestamp");
            annBefore.assertMovedByOne(annAfter, moved, Set.of());
            bobBefore.assertMovedByOne(ReplicaVersions.now(site, bobId), Set.of(), Set.of());

            // Removing the federation removes the people it imported, in bulk and without an event.
            send(site.primary(), "DELETE", "components/" + component, null);
            component = null;
            for (String id : List.of(annId, bobId)) {
                assertThat(site.primary().admin("GET", REALM + "/users/" + id, null).status()).isEqualTo(404);
                site.awaitReplica("user " + id + " removed at the replica", SILENT_PROPAGATION, () -> site.atReplica(id).isEmpty(), gone -> gone);
            }
        } finally {
            if (component != null) {
                site.primary().admin("DELETE", REALM + "/components/" + component, null);
            }
            ldap.close();
        }
    }

    /** Workflows (a default feature of 26.7) change people through the model with no event: one run by an administrator. */
    @Test
    void aWorkflowThatSetsAnAttributeAndDisablesAPersonReachesTheReplica(PrimarySite site) {
        String username = People.uniqueName("silent-workflow");
        String id = site.createAtPrimary(PrimarySite.person(username, PASSWORD));
        site.awaitSignInAtReplica(username, PASSWORD);
        ReplicaVersions before = ReplicaVersions.await(site, id, PROPAGATION, "enabled", BooleanNode.TRUE);

        String name = People.uniqueName("silent-workflow");
        Map<String, Object> workflow = new LinkedHashMap<>();
        workflow.put("name", name);
        workflow.put("steps", List.of(Map.of("uses", "set-user-attribute", "with", Map.of("department", "audited")),
                Map.of("uses", "disable-user")));
        KeycloakHttp.Response created = site.primary().admin("POST", REALM + "/workflows", workflow);
        assertThat(created.status()).as("create the workflow: " + created).isEqualTo(201);
        String workflowId = null;
        for (JsonNode each : get(site.primary(), "workflows?exact=true&search=" + URLEncoder.encode(name, StandardCharsets.UTF_8))) {
            if (name.equals(each.path("name").asText())) {
                workflowId = each.path("id").asText();
            }
        }
        assertThat(workflowId).as("the workflow " + name + " listed").isNotBlank();
        try {
            KeycloakHttp.Response activated = site.primary().admin("POST", REALM + "/workflows/" + workflowId + "/activate/USERS/" + id, null);
            assertThat(activated.status()).as("activate for the person: " + activated).isBetween(200, 299);
            site.awaitReplica("the workflow's steps at the primary", AT_PRIMARY, () -> site.atPrimary(id),
                    u -> !u.path("enabled").asBoolean() && "audited".equals(u.at("/attributes/department/0").asText()));

            site.awaitAtReplica(id, SILENT_PROPAGATION, u -> !u.path("enabled").asBoolean());
            ReplicaVersions after = ReplicaVersions.await(site, id, PROPAGATION, "department", paths("audited"));
            before.assertMovedByOne(after, Set.of("department", "enabled"), Set.of());
            ReplicationIT.assertRefused(signIn(site.replica(), username, PASSWORD), "Account disabled");
        } finally {
            site.primary().admin("DELETE", REALM + "/workflows/" + workflowId, null);
        }
    }

    private static String idAtPrimary(PrimarySite site, String username) {
        JsonNode found = get(site.primary(), "users?exact=true&username=" + URLEncoder.encode(username, StandardCharsets.UTF_8));
        assertThat(found).as("user " + username + " at the primary").hasSize(1);
        return found.get(0).get("id").asText();
    }

    private static String onlyCredential(KeycloakHttp keycloak, String id) {
        JsonNode credentials = get(keycloak, "users/" + id + "/credentials");
        assertThat(credentials).as("one password: " + credentials).hasSize(1);
        return credentials.get(0).get("id").asText();
    }

    private static int hashIterations(KeycloakHttp keycloak, String id) {
        JsonNode credentials = get(keycloak, "users/" + id + "/credentials");
        try {
            return KeycloakHttp.JSON.readTree(credentials.get(0).get("credentialData").asText()).path("hashIterations").asInt();
        } catch (java.io.IOException e) {
            throw new AssertionError("credentialData of " + credentials, e);
        }
    }

    /** The subject once the replica holds this credential. */
    private static ReplicaVersions awaitCredential(PrimarySite site, String id, String credential) {
        return ReplicaVersions.of(site.awaitReplica("credential " + credential + " at the replica", PROPAGATION,
                () -> site.replicaSubject(id).orElse(null), s -> s != null && s.at("/credentials/" + credential + "/present").asBoolean()));
    }

    private static JsonNode realm(KeycloakHttp keycloak) {
        KeycloakHttp.Response r = keycloak.admin("GET", REALM, null);
        assertThat(r.status()).as("the realm: " + r).isEqualTo(200);
        return r.json();
    }

    private static void setPasswordPolicy(KeycloakHttp keycloak, String policy) {
        KeycloakHttp.Response r = keycloak.admin("PUT", REALM, Map.of("passwordPolicy", policy));
        assertThat(r.status()).as("password policy " + policy + ": " + r).isBetween(200, 299);
    }

    private static String groupId(KeycloakHttp keycloak, String path) {
        return get(keycloak, "group-by-path" + path).get("id").asText();
    }

    /** A sorted list, as the stream carries roles, groups and attribute values. */
    private static JsonNode paths(String... values) {
        var array = JsonNodeFactory.instance.arrayNode();
        for (String value : values) {
            array.add(value);
        }
        return array;
    }
}
