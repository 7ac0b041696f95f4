package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stream.Topics;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

import static io.github.keycloakreplica.it.PrimarySite.PROPAGATION;
import static io.github.keycloakreplica.it.PrimarySite.PUBLISHER_PROVIDER;
import static io.github.keycloakreplica.it.PrimarySite.PUBLISHER_TYPE;
import static io.github.keycloakreplica.it.PrimarySite.REALM;
import static io.github.keycloakreplica.it.PrimarySite.SILENT_PROPAGATION;
import static io.github.keycloakreplica.it.PrimarySite.clientRoles;
import static io.github.keycloakreplica.it.PrimarySite.get;
import static io.github.keycloakreplica.it.PrimarySite.groups;
import static io.github.keycloakreplica.it.PrimarySite.realmRoles;
import static io.github.keycloakreplica.it.PrimarySite.send;
import static io.github.keycloakreplica.it.PrimarySite.signIn;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A primary Keycloak with the publisher and a replica Keycloak on one broker: what an administrator does
 * to a person through the primary's admin REST reaches the replica, with the same user id, within
 * {@link PrimarySite#PROPAGATION}; a change Keycloak fires no event for arrives within one reconcile
 * interval; and one change of one attribute moves that attribute's version, and only its, by exactly 1.
 */
@ExtendWith(PrimaryStack.class)
class PublisherIT {

    private static final String CLIENT = PrimarySite.CONFIDENTIAL_CLIENT;
    private static final String PASSWORD = "correct horse battery staple";

    @Test
    void bothRealmsAreImportedAndOnlyThePrimaryHoldsThePublisher(PrimarySite site) {
        JsonNode publishers = get(site.primary(), "components?type=" + PUBLISHER_TYPE);
        List<JsonNode> ours = new ArrayList<>();
        publishers.forEach(c -> {
            if (PUBLISHER_PROVIDER.equals(c.path("providerId").asText())) {
                ours.add(c);
            }
        });
        assertThat(ours).as("publisher components at the primary: " + publishers).hasSize(1);
        JsonNode config = ours.get(0).get("config");
        assertThat(config.at("/enabled/0").asText()).isEqualTo("true");
        assertThat(config.at("/bootstrapServers/0").asText()).isEqualTo(site.stack().broker().bootstrapServers());
        assertThat(config.at("/topicPrefix/0").asText()).isEqualTo(PrimarySite.TOPIC_PREFIX);
        assertThat(config.at("/heartbeatIntervalSeconds/0").asText()).isEqualTo(String.valueOf(PrimarySite.HEARTBEAT_INTERVAL.toSeconds()));
        assertThat(config.at("/reconcileIntervalSeconds/0").asText()).isEqualTo(String.valueOf(PrimarySite.RECONCILE_INTERVAL.toSeconds()));
        assertThat(get(site.primary(), "components?type=org.keycloak.storage.UserStorageProvider")).as("no replica component at the primary")
                .isEmpty();
        assertThat(get(site.primary(), "users/profile").path("unmanagedAttributePolicy").asText()).isEqualTo("ENABLED");

        assertThat(People.names(get(site.replica(), "components?type=org.keycloak.storage.UserStorageProvider"), "providerId"))
                .containsExactly("replica");
        assertThat(People.names(get(site.replica(), "components?type=" + PUBLISHER_TYPE), "providerId"))
                .doesNotContain(PUBLISHER_PROVIDER);
        for (KeycloakHttp keycloak : List.of(site.primary(), site.replica())) {
            String client = PrimarySite.clientUuid(keycloak, CLIENT);
            assertThat(People.names(get(keycloak, "clients/" + client + "/roles"), "name")).contains("reports-viewer", "reports-editor");
            assertThat(People.names(get(keycloak, "roles"), "name")).contains("project-lead", "operator");
        }
    }

    @Test
    void thePublisherCreatesItsTopicsAndItsHeartbeatsConnectTheReplica(PrimarySite site) {
        Topics topics = new Topics(PrimarySite.TOPIC_PREFIX);
        List<String> names = List.of(topics.identity(), topics.credentials(), topics.identitySnapshot(), topics.credentialsSnapshot(),
                topics.heartbeat());
        Map<String, PublishedEvents.TopicShape> shapes = Awaitility.await("the publisher's topics")
                .atMost(Duration.ofSeconds(30))
                .until(() -> PublishedEvents.shapes(site.stack().broker().bootstrapServers(), names), s -> s.size() == names.size());
        assertThat(shapes.get(topics.identitySnapshot()).cleanupPolicy()).isEqualTo("compact");
        assertThat(shapes.get(topics.credentialsSnapshot()).cleanupPolicy()).isEqualTo("compact");
        assertThat(shapes.get(topics.identity()).partitions()).as("the default topicPartitions").isEqualTo(3);

        JsonNode link = get(site.replica(), "replica/link").get(0);
        Duration window = Duration.ofSeconds(link.get("stabilizationWindowSeconds").asLong());
        Awaitility.await("the replica's link CONNECTED on the primary's heartbeats")
                .atMost(window.plus(Duration.ofSeconds(30)))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> get(site.replica(), "replica/link").get(0).get("state").asText(), "CONNECTED"::equals);

        KeycloakHttp.Response status = site.primary().admin("GET", REALM + "/replica-publisher/status", null);
        assertThat(status.status()).as(status.toString()).isEqualTo(200);
    }

    @Test
    void aPersonCreatedAtThePrimaryIsAtTheReplicaUnderTheSameIdAndSignsInThere(PrimarySite site) {
        String username = People.uniqueName("pub-create");
        String id = site.createAtPrimary(PrimarySite.person(username, PASSWORD));

        JsonNode user = site.awaitAtReplica(id, PROPAGATION, u -> true);
        assertThat(user.get("username").asText()).isEqualTo(username);
        assertThat(user.get("email").asText()).isEqualTo(username + "@example.com");
        assertThat(user.get("emailVerified").asBoolean()).isTrue();
        assertThat(user.get("firstName").asText()).isEqualTo("Alice");
        assertThat(user.get("lastName").asText()).isEqualTo("Example");
        assertThat(user.get("enabled").asBoolean()).isTrue();
        assertThat(user.at("/attributes/department/0").asText()).isEqualTo("engineering");
        assertThat(Set.copyOf(realmRoles(site.replica(), id))).as("default-roles-acme included")
                .isEqualTo(Set.copyOf(realmRoles(site.primary(), id)));

        KeycloakHttp.Response token = site.awaitSignInAtReplica(username, PASSWORD);
        assertThat(KeycloakHttp.claims(token.json().get("access_token").asText()).get("sub").asText()).isEqualTo(id);
        ReplicationIT.assertRefused(signIn(site.replica(), username, "Tr0ub4dor&3"), "Invalid user credentials");
    }

    @Test
    void anUpdatedEmailAndAttributeFollow(PrimarySite site) {
        String username = People.uniqueName("pub-update");
        String id = site.createAtPrimary(PrimarySite.person(username, PASSWORD));
        site.awaitAtReplica(id, PROPAGATION, u -> true);

        ObjectNode changed = editable(site.atPrimary(id));
        changed.put("email", username + "@new.example.com");
        changed.putObject("attributes").putArray("department").add("operations");
        send(site.primary(), "PUT", "users/" + id, changed);

        JsonNode user = site.awaitAtReplica(id, PROPAGATION, u -> (username + "@new.example.com").equals(u.path("email").asText())
                && "operations".equals(u.at("/attributes/department/0").asText()));
        assertThat(user.get("username").asText()).isEqualTo(username);
        assertThat(user.get("firstName").asText()).isEqualTo("Alice");
    }

    @Test
    void aPersonTheStreamCannotCarryIsSetAsideWhileEveryOtherChangeGoesOnAndIsPublishedOnceMended(PrimarySite site) {
        // Keycloak takes an unmanaged attribute with this many values; the stream contract carries at most 1,000.
        List<String> tooMany = new ArrayList<>();
        for (int i = 0; i <= 1_000; i++) {
            tooMany.add("tag-" + i);
        }
        String username = People.uniqueName("pub-setaside");
        Map<String, Object> unpublishable = PrimarySite.person(username, PASSWORD);
        unpublishable.put("attributes", Map.of("tags", tooMany));
        String id = site.createAtPrimary(unpublishable);
        String next = site.createAtPrimary(PrimarySite.person(People.uniqueName("pub-after-setaside"), PASSWORD));

        site.awaitAtReplica(next, PROPAGATION, u -> true);
        JsonNode setAside = Awaitility.await("the person set aside in the publisher's status").atMost(PROPAGATION)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> get(site.primary(), "replica-publisher/status").path("setAside"),
                        s -> s.path("last").asText().startsWith(id));
        assertThat(setAside.get("people").asLong()).isPositive();
        assertThat(setAside.get("last").asText()).containsPattern("tags.*at most 1,?000").doesNotContain("tag-999");
        assertThat(site.atReplica(id)).as("nothing of the person set aside is published").isEmpty();

        ObjectNode mended = editable(site.atPrimary(id));
        mended.putObject("attributes").putArray("tags").add("short again");
        send(site.primary(), "PUT", "users/" + id, mended);

        JsonNode user = site.awaitAtReplica(id, PROPAGATION, u -> "short again".equals(u.at("/attributes/tags/0").asText()));
        assertThat(user.get("username").asText()).isEqualTo(username);
        site.awaitSignInAtReplica(username, PASSWORD);
    }

    @Test
    void realmRolesClientRolesAndGroupsFollowEachGrantAndRevocation(PrimarySite site) {
        String username = People.uniqueName("pub-grants");
        String id = site.createAtPrimary(PrimarySite.person(username, PASSWORD));
        site.awaitAtReplica(id, PROPAGATION, u -> true);
        JsonNode operator = get(site.primary(), "roles/operator");
        String client = PrimarySite.clientUuid(site.primary(), CLIENT);
        JsonNode viewer = get(site.primary(), "clients/" + client + "/roles/reports-viewer");
        String engineering = get(site.primary(), "group-by-path/site-a/engineering").get("id").asText();

        send(site.primary(), "POST", "users/" + id + "/role-mappings/realm", List.of(operator));
        awaitSame(site, "realm roles", id, PrimarySite::realmRoles, r -> r.contains("operator"));
        send(site.primary(), "POST", "users/" + id + "/role-mappings/clients/" + client, List.of(viewer));
        awaitSame(site, "client roles", id, (keycloak, user) -> clientRoles(keycloak, user, CLIENT), r -> r.contains("reports-viewer"));
        send(site.primary(), "PUT", "users/" + id + "/groups/" + engineering, null);
        awaitSame(site, "groups", id, PrimarySite::groups, g -> g.contains("/site-a/engineering"));

        send(site.primary(), "DELETE", "users/" + id + "/role-mappings/realm", List.of(operator));
        awaitSame(site, "realm roles", id, PrimarySite::realmRoles, r -> !r.contains("operator"));
        send(site.primary(), "DELETE", "users/" + id + "/groups/" + engineering, null);
        awaitSame(site, "groups", id, PrimarySite::groups, List::isEmpty);
        // The person's last role of the client: nothing of the client left to name.
        send(site.primary(), "DELETE", "users/" + id + "/role-mappings/clients/" + client, List.of(viewer));
        awaitSame(site, "client roles", id, (keycloak, user) -> clientRoles(keycloak, user, CLIENT), List::isEmpty);
    }

    @Test
    void aResetPasswordSignsInAtTheReplicaAndTheOldOneNoLonger(PrimarySite site) {
        String username = People.uniqueName("pub-reset");
        String id = site.createAtPrimary(PrimarySite.person(username, "first password"));
        site.awaitSignInAtReplica(username, "first password");

        send(site.primary(), "PUT", "users/" + id + "/reset-password", Map.of("type", "password", "value", "second password",
                "temporary", false));

        site.awaitSignInAtReplica(username, "second password");
        ReplicationIT.assertRefused(site.awaitSignInRefusedAtReplica(username, "first password"), "Invalid user credentials");
    }

    @Test
    void aDisabledPersonCannotSignInAtTheReplica(PrimarySite site) {
        String username = People.uniqueName("pub-disable");
        String id = site.createAtPrimary(PrimarySite.person(username, PASSWORD));
        site.awaitSignInAtReplica(username, PASSWORD);

        ObjectNode disabled = editable(site.atPrimary(id));
        disabled.put("enabled", false);
        send(site.primary(), "PUT", "users/" + id, disabled);

        site.awaitAtReplica(id, PROPAGATION, u -> !u.get("enabled").asBoolean());
        ReplicationIT.assertRefused(signIn(site.replica(), username, PASSWORD), "Account disabled");
    }

    @Test
    void aDeletedPersonIsGoneAtTheReplica(PrimarySite site) {
        String username = People.uniqueName("pub-delete");
        String id = site.createAtPrimary(PrimarySite.person(username, PASSWORD));
        site.awaitSignInAtReplica(username, PASSWORD);

        send(site.primary(), "DELETE", "users/" + id, null);

        site.awaitGoneAtReplica(id);
        ReplicationIT.assertRefused(signIn(site.replica(), username, PASSWORD), "Invalid user credentials");
    }

    /** Keycloak fires no event when an administrator relabels a credential: the reconcile finds it. */
    @Test
    void aCredentialLabelChangedWithoutAnEventReachesTheReplicaWithinOneReconcile(PrimarySite site) {
        String username = People.uniqueName("pub-label");
        String id = site.createAtPrimary(PrimarySite.person(username, PASSWORD));
        site.awaitSignInAtReplica(username, PASSWORD);
        JsonNode credentials = get(site.primary(), "users/" + id + "/credentials");
        assertThat(credentials).as("the password").hasSize(1);
        String credentialId = credentials.get(0).get("id").asText();

        KeycloakHttp.Response relabelled = site.primary().adminText("PUT", REALM + "/users/" + id + "/credentials/" + credentialId
                + "/userLabel", "laptop");
        assertThat(relabelled.status()).as(relabelled.toString()).isBetween(200, 299);

        site.awaitReplica("the label at the replica", SILENT_PROPAGATION, () -> get(site.replica(), "users/" + id + "/credentials"),
                c -> c.size() == 1 && "laptop".equals(c.get(0).path("userLabel").asText()));
        site.awaitSignInAtReplica(username, PASSWORD);
    }

    /** Renaming a role fires one realm-level event and none for the people who hold it. */
    @Test
    void aRenamedRoleReachesItsHoldersAtTheReplicaWithinOneReconcile(PrimarySite site) {
        String before = People.uniqueName("pub-role");
        String after = before + "-renamed";
        String username = People.uniqueName("pub-rename");
        // The replica realm keeps its own roles from its own configuration: it has both names, as an operator would make it.
        send(site.primary(), "POST", "roles", Map.of("name", before));
        send(site.replica(), "POST", "roles", Map.of("name", before));
        send(site.replica(), "POST", "roles", Map.of("name", after));
        try {
            String id = site.createAtPrimary(PrimarySite.person(username, PASSWORD));
            site.awaitAtReplica(id, PROPAGATION, u -> true);
            send(site.primary(), "POST", "users/" + id + "/role-mappings/realm", List.of(get(site.primary(), "roles/" + before)));
            site.awaitReplica("the role at the replica", PROPAGATION, () -> realmRoles(site.replica(), id), r -> r.contains(before));

            send(site.primary(), "PUT", "roles/" + before, Map.of("name", after));

            List<String> roles = site.awaitReplica("the renamed role at the replica", SILENT_PROPAGATION,
                    () -> realmRoles(site.replica(), id), r -> r.contains(after));
            assertThat(roles).doesNotContain(before);
        } finally {
            site.primary().admin("DELETE", REALM + "/roles/" + after, null);
            site.primary().admin("DELETE", REALM + "/roles/" + before, null);
            site.replica().admin("DELETE", REALM + "/roles/" + before, null);
            site.replica().admin("DELETE", REALM + "/roles/" + after, null);
        }
    }

    @Test
    void oneEmailChangeMovesTheEmailVersionByExactlyOneAndNoOtherVersion(PrimarySite site) {
        String username = People.uniqueName("pub-version");
        String id = site.createAtPrimary(PrimarySite.person(username, PASSWORD));
        site.awaitAtReplica(id, PROPAGATION, u -> true);
        Map<String, Long> before = versions(site.awaitReplica("the subject at the replica", PROPAGATION,
                () -> site.replicaSubject(id).orElse(null), s -> s != null && s.at("/attributes/email/version").asLong() > 0));

        String email = username + "@moved.example.com";
        ObjectNode changed = editable(site.atPrimary(id));
        changed.put("email", email);
        send(site.primary(), "PUT", "users/" + id, changed);
        site.awaitAtReplica(id, PROPAGATION, u -> email.equals(u.path("email").asText()));

        Map<String, Long> after = versions(site.replicaSubject(id).orElseThrow());
        Map<String, Long> expected = new TreeMap<>(before);
        expected.put("email", before.get("email") + 1);
        assertThat(after).as("versions at the replica, before " + before).isEqualTo(expected);

        String identity = new Topics(PrimarySite.TOPIC_PREFIX).identity();
        List<JsonNode> events = PublishedEvents.ofSubject(site.stack().broker().bootstrapServers(), identity, id, PROPAGATION,
                e -> email.equals(e.at("/data/attributes/email/value").asText()));
        JsonNode delta = events.stream().filter(e -> email.equals(e.at("/data/attributes/email/value").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no event with the new email on " + identity + ": " + events));
        assertThat(delta.get("type").asText()).isEqualTo("replica.identity.upserted");
        List<String> carried = new ArrayList<>();
        delta.at("/data/attributes").fieldNames().forEachRemaining(carried::add);
        assertThat(carried).as("what the delta carries: " + delta).containsExactly("email");
        assertThat(delta.at("/data/attributes/email/version").asLong()).isEqualTo(before.get("email") + 1);
    }

    /**
     * The person as admin REST showed them, to send back changed, as the admin console does: a PUT without
     * the attributes would remove them under the declarative user profile.
     */
    private static ObjectNode editable(JsonNode user) {
        ObjectNode copy = user.deepCopy();
        copy.remove(List.of("userProfileMetadata", "access"));
        return copy;
    }

    /** Each attribute's version in the replica's view of a subject. */
    private static Map<String, Long> versions(JsonNode subject) {
        Map<String, Long> versions = new TreeMap<>();
        subject.get("attributes").properties().forEach(a -> versions.put(a.getKey(), a.getValue().get("version").asLong()));
        return versions;
    }

    private interface Read {
        List<String> of(KeycloakHttp keycloak, String id);
    }

    /** Waits until the replica shows the same as the primary (as sets), and that meets the condition. */
    private static void awaitSame(PrimarySite site, String what, String id, Read read, Predicate<List<String>> condition) {
        Set<String> atPrimary = new HashSet<>(read.of(site.primary(), id));
        assertThat(condition.test(List.copyOf(atPrimary))).as(what + " at the primary: " + atPrimary).isTrue();
        site.awaitReplica(what + " at the replica equal to the primary's " + atPrimary, PROPAGATION, () -> read.of(site.replica(), id),
                r -> new HashSet<>(r).equals(atPrimary));
    }
}
