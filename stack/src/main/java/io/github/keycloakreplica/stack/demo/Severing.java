package io.github.keycloakreplica.stack.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.keycloakreplica.stack.KafkaBroker;
import io.github.keycloakreplica.stack.KeycloakHttp;

import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The demo's two ways to cut the replica off, each undone by the same key, and a watch that says each change of
 * the replica's link as it happens. Stopping the broker is what a cut WAN looks like from both sides: the replica
 * sees an unreachable broker at once, the primary keeps working and keeps its changes in its outbox. Switching the
 * primary's publisher off stops its heartbeats while the broker stays up: the replica notices when the newest
 * heartbeat is older than its severance threshold.
 */
final class Severing {

    private static final String PUBLISHER_TYPE = "org.keycloak.services.ui.extend.UiPageProvider";
    private static final String PUBLISHER_PROVIDER = "replica-publisher";
    private static final Duration LOOK_EVERY = Duration.ofMillis(500);
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final String realm;
    private final KafkaBroker broker;
    private final KeycloakHttp primary;
    private final KeycloakHttp replica;
    private volatile boolean watching;

    Severing(String realm, KafkaBroker broker, KeycloakHttp primary, KeycloakHttp replica) {
        this.realm = realm;
        this.broker = broker;
        this.primary = primary;
        this.replica = replica;
    }

    /** One line the person typed: empty toggles the broker, {@code p} the primary's publisher. */
    void onInput(String line) {
        try {
            switch (line.trim().toLowerCase(Locale.ROOT)) {
                case "" -> toggleBroker();
                case "p" -> togglePublisher();
                default -> say("Enter stops or starts the Kafka broker; p and Enter switch the primary's publisher off or on");
            }
        } catch (RuntimeException e) {
            say("that did not work: " + e.getMessage());
        }
    }

    private void toggleBroker() {
        if (broker.isRunning()) {
            say("stopping the Kafka broker...");
            broker.stop();
            say("Kafka broker stopped, as if the site's link were cut: the replica goes SEVERED at once and still signs people in;"
                    + " changes at the primary wait in its outbox. Enter starts it again.");
        } else {
            say("starting the Kafka broker...");
            broker.start();
            say("Kafka broker running again: the primary publishes what waited, the replica goes RECOVERING and, one stabilization"
                    + " window (30 s) later, CONNECTED.");
        }
    }

    /** Sets the publisher component's {@code enabled} through the primary's admin REST, as its console page does. */
    private void togglePublisher() {
        KeycloakHttp.Response listed = primary.admin("GET", realm + "/components?type=" + PUBLISHER_TYPE, null);
        if (listed.status() != 200) {
            throw new IllegalStateException("cannot read the primary's publisher: " + listed);
        }
        ObjectNode publisher = null;
        for (JsonNode component : listed.json()) {
            if (PUBLISHER_PROVIDER.equals(component.path("providerId").asText())) {
                publisher = (ObjectNode) component;
            }
        }
        if (publisher == null) {
            throw new IllegalStateException("the primary's realm " + realm + " has no publisher");
        }
        boolean on = !"false".equals(publisher.at("/config/enabled/0").asText());
        ((ObjectNode) publisher.get("config")).putArray("enabled").add(String.valueOf(!on));
        KeycloakHttp.Response saved = primary.admin("PUT", realm + "/components/" + publisher.path("id").asText(), publisher);
        if (saved.status() / 100 != 2) {
            throw new IllegalStateException("cannot switch the primary's publisher " + (on ? "off" : "on") + ": " + saved);
        }
        say(on ? "the primary's publisher is off: no more heartbeats, the replica goes SEVERED once the newest is older than its"
                + " severance threshold (15 s). p and Enter switch it on again."
                : "the primary's publisher is on again: it compares the realm at once, so what changed meanwhile goes out"
                        + " now; the replica goes RECOVERING and, one stabilization window (30 s) later, CONNECTED.");
    }

    /** Says every change of the replica's link state, with its cause, on a daemon thread, for as long as the demo runs. */
    void watchLink(String initialState) {
        watching = true;
        Thread watcher = new Thread(() -> {
            String said = initialState;
            while (watching) {
                try {
                    Thread.sleep(LOOK_EVERY.toMillis());
                    KeycloakHttp.Response r = replica.admin("GET", realm + "/replica/link?history=0", null);
                    if (r.status() != 200) {
                        continue;
                    }
                    JsonNode link = r.json().path(0);
                    String state = link.path("state").asText();
                    if (watching && !state.equals(said)) {
                        String cause = link.path("cause").asText("");
                        say("the replica's link is " + state + (cause.isEmpty() ? "" : " (" + cause + ")"));
                        said = state;
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // The replica is stopping or busy; the next look says what it is.
                }
            }
        }, "demo-link-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    /** For the demo's end: the servers stopping are no news. */
    void stopWatching() {
        watching = false;
    }

    static void say(String what) {
        System.out.println("[" + CLOCK.format(LocalTime.now()) + "] " + what);
    }
}
