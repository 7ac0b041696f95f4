package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.keycloakreplica.protocol.SubjectIds;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stack.upstream.KeycloakCredentials;
import io.github.keycloakreplica.stack.upstream.Upstream;
import io.github.keycloakreplica.stream.StreamEvent;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The convergence defects found by an adversarial upstream, each as a named case on the real stack:
 * Keycloak's tables end as in-order delivery leaves them. (The username that moves between subjects
 * across partitions is in {@link PostgresReplicaIT}, on PostgreSQL.)
 */
@ExtendWith(ReplicaStack.class)
class ConvergenceDefectsIT {

    /**
     * Two people swap usernames and three rotate theirs: each waits for the next to let go of its name,
     * none would ever, and in-order delivery renames them all. The rotation is broken within seconds.
     */
    @Test
    void usernamesRotatedAmongSubjectsReachEveryone(ReplicaSite site) {
        try (TestRealm realm = new TestRealm(site, "rotate")) {
            Upstream upstream = realm.upstream(3);
            realm.replicate(upstream, Map.of());
            for (int size : new int[]{2, 3}) {
                List<String> subjects = new ArrayList<>();
                List<String> names = new ArrayList<>();
                for (int i = 0; i < size; i++) {
                    subjects.add(UUID.randomUUID().toString());
                    names.add(People.uniqueName("rot" + i));
                    upstream.upsert(subjects.get(i), Map.of("username", names.get(i), "enabled", true));
                }
                names.forEach(name -> realm.awaitUser(name, u -> true));
                // Each takes the next one's name, at once: whichever arrives first finds its name still held.
                for (int i = 0; i < size; i++) {
                    upstream.upsert(subjects.get(i), Map.of("username", names.get((i + 1) % size)));
                }
                for (int i = 0; i < size; i++) {
                    String subject = subjects.get(i);
                    String wanted = names.get((i + 1) % size);
                    Awaitility.await(subject + " named " + wanted).atMost(ReplicaSite.APPLY_TIMEOUT).pollInterval(Duration.ofMillis(250))
                            .until(() -> realm.user(wanted).map(u -> SubjectIds.userId(subject).equals(u.get("id").asText())).orElse(false));
                }
                Awaitility.await("nobody waiting for a username").atMost(ReplicaSite.APPLY_TIMEOUT)
                        .until(() -> site.keycloak().admin("GET", realm.name + "/replica/gaps", null).json()
                                .findValues("waitingForUsername").stream().allMatch(JsonNode::isNull));
            }
            assertThat(realm.deadLetterCount()).isZero();
        }
    }

    /**
     * An authority may replace a password by a new credential id and revoke the old one after; the two
     * ids' events arrive in any order, and may arrive before the person. Keycloak shows the newest present
     * password, and revoking it brings the next one back.
     */
    @Test
    void aPasswordReplacedUnderANewCredentialIdIsNeverLost(ReplicaSite site) throws Exception {
        try (TestRealm realm = new TestRealm(site, "pwids")) {
            Upstream upstream = realm.upstream(2);
            realm.replicate(upstream, Map.of());

            // The new id's password arrives before the old id's last change and before its revocation.
            String subject = UUID.randomUUID().toString();
            String username = People.uniqueName("pia");
            upstream.upsert(subject, Map.of("username", username, "enabled", true));
            String oldId = "pw-a-" + subject;
            String newId = "pw-b-" + subject;
            upstream.send(upstream.credentialEvent(subject, oldId, "password", KeycloakCredentials.password("first password"), null));
            realm.awaitGrant(username, "first password", 200);
            StreamEvent oldChanged = upstream.credentialEvent(subject, oldId, "password", KeycloakCredentials.password("second password"), null);
            Thread.sleep(5);
            StreamEvent replacement = upstream.credentialEvent(subject, newId, "password", KeycloakCredentials.password("third password"), null);
            StreamEvent oldRevoked = upstream.revokeEvent(subject, oldId, "password");
            upstream.sendAll(List.of(replacement, oldChanged, oldRevoked));
            realm.awaitGrant(username, "third password", 200);
            assertThat(credentialIds(realm, subject)).containsExactly(SubjectIds.credentialId(newId));
            realm.assertGrantRefused(username, "second password");

            // Both ids present at the authority before the person exists here.
            String early = UUID.randomUUID().toString();
            String earlyName = People.uniqueName("pim");
            String olderId = "pw-a-" + early;
            String newerId = "pw-b-" + early;
            upstream.send(upstream.credentialEvent(early, olderId, "password", KeycloakCredentials.password("older password"), null));
            Thread.sleep(5);
            upstream.send(upstream.credentialEvent(early, newerId, "password", KeycloakCredentials.password("newer password"), null));
            Awaitility.await("credentials held before the person").atMost(ReplicaSite.APPLY_TIMEOUT)
                    .until(() -> realm.subject(early).map(v -> v.get("credentials").size() == 2 && !v.get("live").asBoolean()).orElse(false));
            upstream.upsert(early, Map.of("username", earlyName, "enabled", true));
            realm.awaitGrant(earlyName, "newer password", 200);
            assertThat(credentialIds(realm, early)).containsExactly(SubjectIds.credentialId(newerId));
            realm.assertGrantRefused(earlyName, "older password");

            // Revoking the one shown brings back the other, which the ledger kept.
            upstream.revoke(early, newerId, "password");
            realm.awaitGrant(earlyName, "older password", 200);
            assertThat(credentialIds(realm, early)).containsExactly(SubjectIds.credentialId(olderId));
            assertThat(realm.deadLetterCount()).isZero();
        }
    }

    /**
     * A user created (or granted a role) and deleted within one batch: applied in that batch, without
     * Hibernate's TransientPropertyValueException and without the one-record-per-transaction fallback.
     */
    @Test
    void aUserCreatedOrGrantedAndDeletedInOneBatchAppliesInThatBatch(ReplicaSite site) throws Exception {
        try (TestRealm realm = new TestRealm(site, "batchdelete")) {
            realm.createRoles("r1", "r2");
            assertThat(site.keycloak().admin("POST", realm.name + "/groups", Map.of("name", "g1")).status()).isEqualTo(201);
            Upstream upstream = realm.upstream(1);
            realm.replicate(upstream, Map.of());
            String granted = UUID.randomUUID().toString();
            String grantedName = People.uniqueName("gra");
            upstream.upsert(granted, Map.of("username", grantedName, "enabled", true, "realmRoles", List.of("r1")));
            realm.awaitUser(grantedName, u -> true);

            String created = UUID.randomUUID().toString();
            String recreated = UUID.randomUUID().toString();
            String recreatedName = People.uniqueName("rec");
            List<StreamEvent> oneBatch = new ArrayList<>();
            // Created with roles, a group, an attribute and a password, then deleted.
            oneBatch.add(upstream.upsertEvent(created, Map.of("username", People.uniqueName("cre"), "enabled", true,
                    "realmRoles", List.of("r1", "r2"), "groups", List.of("/g1"), "department", "d1")));
            oneBatch.add(upstream.credentialEvent(created, "pw-" + created, "password", KeycloakCredentials.password("pw"), null));
            oneBatch.add(upstream.deleteEvent(created));
            // An existing user granted a role, then deleted.
            oneBatch.add(upstream.upsertEvent(granted, Map.of("realmRoles", List.of("r1", "r2"))));
            oneBatch.add(upstream.deleteEvent(granted));
            // Created, deleted and created again.
            oneBatch.add(upstream.upsertEvent(recreated, Map.of("username", recreatedName + "-first", "enabled", true, "realmRoles", List.of("r2"))));
            oneBatch.add(upstream.deleteEvent(recreated));
            oneBatch.add(upstream.upsertEvent(recreated, Map.of("username", recreatedName, "enabled", true, "realmRoles", List.of("r1"))));
            upstream.sendAll(oneBatch);

            JsonNode again = realm.awaitUser(recreatedName, u -> true);
            assertThat(again.get("id").asText()).isEqualTo(recreated);
            assertThat(People.names(site.keycloak().admin("GET", realm.name + "/users/" + recreated + "/role-mappings/realm", null).json(),
                    "name")).contains("r1").doesNotContain("r2");
            Awaitility.await(grantedName + " removed").atMost(ReplicaSite.APPLY_TIMEOUT).until(() -> realm.user(grantedName).isEmpty());
            assertThat(site.keycloak().admin("GET", realm.name + "/users/count", null).json().asInt()).isEqualTo(1);
            assertThat(realm.meter("keycloak_replica_batch_fallbacks_total", null)).isZero();
            assertThat(realm.meter("keycloak_replica_events_total", "outcome=\"rejected\"")).isZero();
            assertThat(realm.deadLetterCount()).isZero();
            assertThat(Files.readString(site.server().logFile())).doesNotContain("TransientPropertyValueException");
        }
    }

    /**
     * A deletion (the username going absent) waiting in the gap buffer takes every right away once it
     * applies, so it counts as access-critical: under 'refuse' sign-in is refused while it waits. What a
     * deleted person could not be granted is forgotten with the user.
     */
    @Test
    void aDeletionWaitingForAnEarlierVersionIsAccessCritical(ReplicaSite site) {
        try (TestRealm realm = new TestRealm(site, "delgap")) {
            // Deltas only: nothing but the missing event closes the gap.
            Upstream upstream = realm.upstream(1).withoutSnapshots();
            String componentId = realm.replicate(upstream, Map.of("gapSignInPolicy", "refuse"));
            realm.guardDirectGrants();
            String subject = UUID.randomUUID().toString();
            String username = People.uniqueName("dora");
            upstream.upsert(subject, Map.of("username", username, "enabled", true));
            upstream.password(subject, "pw-" + subject, "dora's password");
            realm.awaitUser(username, u -> true);
            realm.awaitGrant(username, "dora's password", 200);

            StreamEvent lastChange = upstream.upsertEvent(subject, Map.of("username", username + "-x"));
            StreamEvent deletion = upstream.deleteEvent(subject);
            upstream.send(deletion);
            KeycloakHttp.Response refused = realm.awaitGrant(username, "dora's password", 400);
            assertThat(refused.json().get("error_description").asText()).contains("Your access rights are being updated");
            JsonNode gaps = site.keycloak().admin("GET", realm.name + "/replica/gaps", null).json();
            assertThat(gaps.get("items").get(0).get("critical").asBoolean()).isTrue();

            // With 'allow' the person signs in on the last known state, and the event log says a deletion waits.
            ObjectNode component = (ObjectNode) site.keycloak().admin("GET", realm.name + "/components/" + componentId, null).json();
            ((ObjectNode) component.get("config")).putArray("gapSignInPolicy").add("allow");
            assertThat(site.keycloak().admin("PUT", realm.name + "/components/" + componentId, component).status()).isEqualTo(204);
            realm.awaitGrant(username, "dora's password", 200);
            assertThat(realm.subject(subject).orElseThrow().get("eventLog").toString())
                    .contains("signed in on the last known state while a deletion waits for earlier versions");

            upstream.send(lastChange);
            Awaitility.await(username + " removed").atMost(ReplicaSite.APPLY_TIMEOUT)
                    .until(() -> realm.user(username).isEmpty() && realm.user(username + "-x").isEmpty());
            JsonNode view = realm.subject(subject).orElseThrow();
            assertThat(view.get("live").asBoolean()).isFalse();
            assertThat(view.get("gaps")).isEmpty();

            // Deleted while a role it names is missing here: nothing is left waiting to be granted.
            String leaver = UUID.randomUUID().toString();
            String leaverName = People.uniqueName("lea");
            upstream.upsert(leaver, Map.of("username", leaverName, "enabled", true, "realmRoles", List.of("not-in-this-realm")));
            Awaitility.await("unresolved role recorded").atMost(ReplicaSite.APPLY_TIMEOUT)
                    .until(() -> realm.subject(leaver).map(v -> v.get("unresolved").size() == 1).orElse(false));
            upstream.delete(leaver);
            Awaitility.await("unresolved entitlements of a deleted person cleared").atMost(ReplicaSite.APPLY_TIMEOUT)
                    .until(() -> realm.subject(leaver).orElseThrow().get("unresolved").isEmpty());
            assertThat(realm.user(leaverName)).isEmpty();
        }
    }

    /** The ids of a user's credentials as Keycloak's admin REST API lists them. */
    private static List<String> credentialIds(TestRealm realm, String userId) {
        return People.names(realm.credentials(userId), "id");
    }
}
