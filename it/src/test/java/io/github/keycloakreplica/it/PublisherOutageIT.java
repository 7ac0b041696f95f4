package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.keycloakreplica.it.OutageSite.Person;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stream.StreamEvent;
import io.github.keycloakreplica.stream.Topics;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.stream.Collectors;

import static io.github.keycloakreplica.it.OutageSite.PASSWORD;
import static io.github.keycloakreplica.it.OutageSite.backlog;
import static io.github.keycloakreplica.it.PrimarySite.REALM;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The primary when things go wrong, on a primary site of this class's own ({@link OutageSite}): these tests stop the
 * broker and kill the primary, which the other tests of the shared {@link PrimaryStack} site must not live through.
 * With the broker away, admin changes and sign-ins at the primary go on as fast as just before, the changes wait in
 * the primary's database, and all of them reach the replica, in order, once the broker is back; a primary killed
 * (SIGKILL) with such a backlog publishes all of it after its restart; a change the database refuses at commit
 * publishes nothing; and the credential write path sets a password with the broker away, its answer naming the event
 * that reaches another replica once the broker is back.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PublisherOutageIT {

    /** Requests of each kind per measured phase (the design's KafkaDownIT names 200; 100 keep the class within minutes). */
    private static final int MEASURED = 100;
    private static final int WARM_UP = 30;
    private static final int PEOPLE = 10;
    /** The bound: with the broker away, a request may take at most 10 % longer than in the same run's baseline. */
    private static final double SLOWER_AT_MOST = 1.10;
    /** The relay waits at most 10 s between attempts, and a restarted primary may wait out its former lease (30 s). */
    private static final Duration DRAIN = Duration.ofSeconds(120);

    private static OutageSite site;

    @RegisterExtension
    static final LogsOnFailure LOGS_ON_FAILURE = new LogsOnFailure(() -> site == null ? null : site.logTails(LogsOnFailure.LINES));

    @BeforeAll
    static void startOwnSite() {
        site = OutageSite.start();
    }

    @AfterAll
    static void stopOwnSite() {
        if (site != null) {
            site.close();
        }
    }

    @Test
    @Order(1)
    void withTheBrokerAwayThePrimaryAnswersAsFastAsBeforeAndEverythingReachesTheReplicaOnceItIsBack() {
        List<Person> people = site.createPeople("out-lat", PEOPLE);
        JsonNode quiet = site.awaitQuiet();
        // On this machine's two cores the replica applying the baseline's changes would slow the baseline, and not the
        // outage, whose changes it only gets later: it stays away while the primary is measured.
        site.stopReplica();
        Latencies[] baseline;
        Latencies[] outage;
        Map<Person, String> passwords = new LinkedHashMap<>();
        JsonNode away;
        JsonNode drained;
        Duration drainTime;
        try {
            measure("Warm", WARM_UP, people);
            baseline = measure("Base", MEASURED, people);
            site.site().stack().broker().stop();
            try {
                outage = measure("Outage", MEASURED, people);
                for (int i = 0; i < 3; i++) {
                    passwords.put(people.get(i), "set while the broker was away " + i);
                    site.resetPassword(people.get(i), passwords.get(people.get(i)));
                }
                ObjectNode moved = people.get(3).editable();
                moved.put("email", people.get(3).username() + "@moved.example.com");
                assertThat(site.put(people.get(3), moved).status()).as("a new email").isEqualTo(204);
                away = site.awaitStatus("a backlog while the broker is away", Duration.ofSeconds(30), s -> backlog(s) > 0);
            } finally {
                site.site().stack().broker().start();
            }
            long back = System.nanoTime();
            drained = site.awaitStatus("the backlog drained", DRAIN, s -> backlog(s) == 0);
            drainTime = Duration.ofNanos(System.nanoTime() - back);
        } finally {
            site.startReplica();
        }

        System.out.printf("PublisherOutageIT latencies, broker up then away (%d each, after %d to warm up):%n  %s%n  %s%n  %s%n  %s%n"
                        + "  backlog while away: %s; drained %d ms after the broker was back%n", MEASURED, WARM_UP, baseline[0], outage[0],
                baseline[1], outage[1], away.get("backlog"), drainTime.toMillis());

        for (Person person : people) {
            site.awaitSameAtReplica(person.id());
        }
        passwords.forEach((person, password) -> site.awaitSignInAtReplica(person.username(), password));
        assertPublishedInOrder(people.stream().map(Person::id).toList());
        // One node, never restarted: it keeps the relay throughout, outage or not.
        assertThat(drained.at("/relay/owner").asText()).as("the relay's owner").isEqualTo(quiet.at("/relay/owner").asText());
        assertThat(drained.at("/relay/epoch").asLong()).as("the relay's epoch, before the outage " + quiet.get("relay"))
                .isEqualTo(quiet.at("/relay/epoch").asLong());

        // Only the relay's sending and the broker's work weigh on the baseline and not on the outage phase; a publisher
        // that leaves requests alone measures no slower with the broker away, and one that made a request wait for Kafka
        // (10 s max.block.ms) or for a retrying relay's lock would fail this by far.
        for (int kind = 0; kind < 2; kind++) {
            assertThat(outage[kind].medianMillis()).as("median with the broker away, %s vs %s", outage[kind], baseline[kind])
                    .isLessThanOrEqualTo(baseline[kind].medianMillis() * SLOWER_AT_MOST);
            assertThat(outage[kind].p90Millis()).as("p90 with the broker away, %s vs %s", outage[kind], baseline[kind])
                    .isLessThanOrEqualTo(baseline[kind].p90Millis() * SLOWER_AT_MOST);
        }
    }

    @Test
    @Order(2)
    void changesTheDatabaseRefusesPublishNothing() throws Exception {
        Person taken = site.createPerson("out-taken");
        Person other = site.createPerson("out-other");
        site.awaitSameAtReplica(taken.id());
        site.awaitSameAtReplica(other.id());
        JsonNode before = site.awaitSettled();
        List<String> dataTopics = dataTopics();
        Map<TopicPartition, Long> ends = TopicLog.ends(site.bootstrapServers(), dataTopics);

        List<String> refused = new ArrayList<>();
        String sameUsername = People.uniqueName("out-dup");
        assertThat(site.create(OutageSite.newPerson(taken.username(), sameUsername + "@example.com")).status()).as("the same username")
                .isEqualTo(409);
        String sameEmail = People.uniqueName("out-dup");
        assertThat(site.create(OutageSite.newPerson(sameEmail, taken.username() + "@example.com")).status()).as("the same email")
                .isEqualTo(409);
        refused.addAll(List.of(sameUsername, sameEmail));
        ObjectNode stolen = other.editable();
        stolen.put("email", taken.username() + "@example.com");
        assertThat(site.put(other, stolen).status()).as("another's email").isEqualTo(409);

        // Two creates with one email at once: both pass Keycloak's check for a duplicate, and the database refuses the
        // loser's row (the realm's unique email constraint) when it commits, after the loser's events fired. Keycloak's
        // create answers "User exists with same username or email" for a duplicate it meets while creating; "Duplicate
        // resource error" comes from its entity manager after the create returned, i.e. at commit.
        List<String> winners = new ArrayList<>();
        Map<String, Integer> outcomes = new TreeMap<>();
        for (int race = 0; race < 10; race++) {
            String email = People.uniqueName("out-race") + "@example.com";
            List<String> usernames = List.of(People.uniqueName("out-race"), People.uniqueName("out-race"));
            CyclicBarrier start = new CyclicBarrier(usernames.size());
            List<CompletableFuture<KeycloakHttp.Response>> creates = usernames.stream()
                    .map(username -> CompletableFuture.supplyAsync(() -> {
                        awaitOthers(start);
                        return site.create(OutageSite.newPerson(username, email));
                    }, task -> new Thread(task, "create-" + username).start())).toList();
            for (int i = 0; i < usernames.size(); i++) {
                KeycloakHttp.Response response = creates.get(i).get();
                outcomes.merge(response.status() + " " + response.body(), 1, Integer::sum);
                String id = site.idOf(usernames.get(i));
                if (id == null) {
                    refused.add(usernames.get(i));
                } else {
                    assertThat(response.status()).as("the create that made " + usernames.get(i)).isEqualTo(201);
                    winners.add(id);
                }
            }
            assertThat(site.withEmail(email)).as("people with " + email).isEqualTo(1);
        }
        System.out.println("PublisherOutageIT races of two creates with one email: " + outcomes);
        assertThat(outcomes.keySet()).as("refusals at commit among the races").anyMatch(o -> o.startsWith("409") && o.contains(
                "Duplicate resource error"));

        JsonNode after = site.awaitSettled();
        List<TopicLog.Published> published = TopicLog.since(site.bootstrapServers(), dataTopics, ends);
        assertThat(published.stream().map(TopicLog.Published::key).collect(Collectors.toSet()))
                .as("whom the records since name").isEqualTo(Set.copyOf(winners));
        for (TopicLog.Published record : published) {
            String text = new String(record.value(), StandardCharsets.UTF_8);
            refused.forEach(username -> assertThat(text).as("a record naming a refused person").doesNotContain(username));
        }
        assertThat(after.get("published").asLong() - before.get("published").asLong()).as("records the relay sent since")
                .isEqualTo(published.size());
        assertThat(after.get("livePeople").asLong() - before.get("livePeople").asLong()).as("people published since")
                .isEqualTo(winners.size());
        assertThat(PrimarySite.get(site.primary(), "users/" + other.id()).get("email").asText()).isEqualTo(other.username() + "@example.com");
        winners.forEach(site::awaitSameAtReplica);
    }

    @Test
    @Order(3)
    void aPrimaryKilledWithABacklogPublishesAllOfItAfterItsRestart() {
        List<Person> earlier = site.createPeople("out-kill", 3);
        site.awaitQuiet();
        List<Person> created = new ArrayList<>();
        String newPassword = "set just before the kill";
        Person deleted = earlier.get(2);
        Duration restart;
        long outbox;
        site.site().stack().broker().stop();
        try {
            for (int i = 0; i < 5; i++) {
                created.add(site.createPerson("out-kill-new"));
            }
            for (Person person : earlier.subList(0, 2)) {
                ObjectNode changed = person.editable();
                changed.put("lastName", "Killed");
                OutageSite.attributes(changed).putArray("shift").add("before the kill");
                assertThat(site.put(person, changed).status()).isEqualTo(204);
            }
            site.resetPassword(earlier.get(0), newPassword);
            site.delete(deleted);
            JsonNode pending = site.awaitStatus("every change versioned into the outbox", Duration.ofSeconds(60),
                    s -> s.at("/backlog/intents").asLong() == 0 && s.at("/backlog/unpublished").asLong() > 0);
            outbox = pending.at("/backlog/unpublished").asLong();

            restart = site.killAndRestartPrimary();
            assertThat(site.status().at("/backlog/unpublished").asLong()).as("the outbox after the kill").isEqualTo(outbox);
        } finally {
            site.site().stack().broker().start();
        }
        long back = System.nanoTime();
        site.awaitStatus("the backlog drained", DRAIN, s -> backlog(s) == 0);
        Duration drainTime = Duration.ofNanos(System.nanoTime() - back);
        System.out.printf("PublisherOutageIT kill: %d records waited in the outbox; kill and restart %d ms; drained %d ms after the "
                + "broker was back%n", outbox, restart.toMillis(), drainTime.toMillis());

        List<String> touched = new ArrayList<>();
        earlier.subList(0, 2).forEach(p -> touched.add(p.id()));
        created.forEach(p -> touched.add(p.id()));
        touched.forEach(site::awaitSameAtReplica);
        site.awaitSignInAtReplica(earlier.get(0).username(), newPassword);
        created.forEach(p -> site.awaitSignInAtReplica(p.username(), PASSWORD));
        site.awaitGoneAtReplica(deleted.id());
        touched.add(deleted.id());
        assertPublishedInOrder(touched);
    }

    @Test
    @Order(4)
    void withTheBrokerAwayTheWritePathSetsAPasswordAndTheChangeReachesAnotherReplicaOnceItIsBack() throws Exception {
        Person person = site.createPerson("out-wp");
        site.awaitSignInAtReplica(person.username(), PASSWORD);
        String chosen = "set through the write path while the broker was away " + UUID.randomUUID();
        Map<String, Object> change = PrimaryWritePathIT.request(person.id(), "password.set");
        change.put("password", chosen);
        PrimaryWritePathIT.Answer answer;
        site.site().stack().broker().stop();
        try {
            // As a site calls it; this site's replica does not make the change, so it plays another replica.
            answer = PrimaryWritePathIT.call(site.site(), PrimarySite.SITE_CLIENT, PrimarySite.SITE_SECRET, change);
            assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
            assertThat(PrimarySite.signIn(site.primary(), person.username(), chosen).status()).as("the new password at the primary, at once")
                    .isEqualTo(200);
            ReplicationIT.assertRefused(PrimarySite.signIn(site.primary(), person.username(), PASSWORD), "Invalid user credentials");
            site.awaitStatus("the change waiting for the broker", Duration.ofSeconds(30), s -> backlog(s) > 0);
            assertThat(PrimarySite.signIn(site.replica(), person.username(), chosen).status())
                    .as("the new password at the replica, with no broker to bring it").isNotEqualTo(200);
        } finally {
            site.site().stack().broker().start();
        }
        JsonNode events = KeycloakHttp.JSON.readTree(answer.body()).get("events");
        assertThat(events).as("the credential events the answer names").hasSize(1);
        JsonNode event = events.get(0);
        assertThat(event.get("type").asText()).isEqualTo("replica.credential.upserted");
        assertThat(event.get("subject").asText()).isEqualTo(person.id());
        String eventId = event.get("id").asText();
        String credential = event.at("/data/credential/id").asText();
        long version = event.at("/data/credential/version").asLong();

        site.awaitStatus("the backlog drained", DRAIN, s -> backlog(s) == 0);
        site.awaitSignInAtReplica(person.username(), chosen);
        JsonNode view = site.replicaSubject(person.id());
        assertThat(view.at("/credentials/" + credential + "/version").asLong()).as("the replica's password version: " + view).isEqualTo(version);
        assertThat(view.get("eventLog")).as("the replica's log of " + person.id())
                .anySatisfy(line -> {
                    assertThat(line.get("eventId").asText()).isEqualTo(eventId);
                    assertThat(line.get("outcome").asText()).isEqualTo("applied");
                });
    }

    /**
     * One phase of the latency comparison: {@code count} admin updates (a name and an attribute of one of the people,
     * in turn) and as many password-grant sign-ins, alternating so that both kinds meet the same conditions. Only the
     * requests are timed; the admin token is taken before.
     */
    private static Latencies[] measure(String phase, int count, List<Person> people) {
        KeycloakHttp primary = site.primary();
        List<Long> updates = new ArrayList<>(count);
        List<Long> signIns = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Person person = people.get(i % people.size());
            ObjectNode changed = person.editable();
            changed.put("firstName", phase + i);
            OutageSite.attributes(changed).putArray("shift").add(phase + " " + i);
            String token = primary.adminToken();
            long start = System.nanoTime();
            KeycloakHttp.Response update = primary.withToken(token, "PUT", "/admin/realms/" + REALM + "/users/" + person.id(), changed);
            updates.add(System.nanoTime() - start);
            assertThat(update.status()).as(phase + " update " + i + ": " + update).isEqualTo(204);

            start = System.nanoTime();
            KeycloakHttp.Response signIn = PrimarySite.signIn(primary, person.username(), PASSWORD);
            signIns.add(System.nanoTime() - start);
            assertThat(signIn.status()).as(phase + " sign-in " + i + ": " + signIn).isEqualTo(200);
        }
        return new Latencies[] {new Latencies(phase + " admin updates", updates), new Latencies(phase + " sign-ins", signIns)};
    }

    /** Each person's versions on both delta topics went up one at a time; a record sent again after a crash is no problem. */
    private static void assertPublishedInOrder(List<String> subjects) {
        List<String> problems = new ArrayList<>();
        int repeats = 0;
        for (String topic : new Topics(PrimarySite.TOPIC_PREFIX).deltas()) {
            Map<String, List<StreamEvent>> bySubject = TopicLog.eventsBySubject(TopicLog.all(site.bootstrapServers(), List.of(topic)));
            for (String subject : subjects) {
                List<StreamEvent> events = bySubject.getOrDefault(subject, List.of());
                assertThat(events).as("records of " + subject + " on " + topic).isNotEmpty();
                TopicLog.Order order = TopicLog.problemsInOrder(subject, events);
                problems.addAll(order.problems());
                repeats += order.repeats();
            }
        }
        System.out.println("PublisherOutageIT: records sent again (same event id) for " + subjects.size() + " people: " + repeats);
        assertThat(problems).as("versions out of order").isEmpty();
    }

    private static List<String> dataTopics() {
        Topics topics = new Topics(PrimarySite.TOPIC_PREFIX);
        return List.of(topics.identity(), topics.credentials(), topics.identitySnapshot(), topics.credentialsSnapshot());
    }

    private static void awaitOthers(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
