package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.keycloakreplica.stack.upstream.Upstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server log while the broker is away, the situation the product exists for: the replica's own line
 * that the link is SEVERED must stand out, so the Kafka client's reconnect noise and the replica's own
 * repeated warnings must stay bounded. A site of its own whose Keycloak sets no log level, as an operator
 * who copied nothing from realm-config/keycloak.conf runs it: what the provider does by default is what is
 * measured. It runs two replica components (the imported acme realm's, whose upstream sends no heartbeats,
 * and this test's), each with the Kafka consumers of its delta topics and of its heartbeats.
 */
class SeveredLogIT {

    private static final Duration HEARTBEAT = Duration.ofMillis(500);
    private static final int THRESHOLD_SECONDS = 3;
    private static final int WINDOW_SECONDS = 5;
    private static final Duration OUTAGE = Duration.ofMinutes(2);
    /** The bound on the server log's lines (of any category and level, continuation lines included) during the outage. */
    private static final int MAX_LINES = 30;
    /**
     * From the broker's restart to CONNECTED: the Kafka client's longest reconnect back-off (10 s, plus Kafka's
     * 20 per cent jitter), the stabilization window, and catching up, with room for a busy machine.
     */
    private static final Duration RECONNECTED_WITHIN = Duration.ofSeconds(12 + WINDOW_SECONDS + 13);

    private static ReplicaSite site;

    @BeforeAll
    static void start() {
        site = ReplicaSite.startWithKeycloaksLogDefaults();
    }

    @AfterAll
    static void stop() {
        if (site != null) {
            site.close();
        }
    }

    @Test
    void twoMinutesWithoutTheBrokerWriteAFewLinesAmongThemTheReplicasOwnSeveredLine() throws Exception {
        try (TestRealm realm = new TestRealm(site, "quiet", true)) {
            Upstream upstream = realm.upstream(2).startHeartbeats(HEARTBEAT);
            realm.replicate(upstream, TestRealm.linkSettings(THRESHOLD_SECONDS, WINDOW_SECONDS));
            realm.awaitLink("CONNECTED", Duration.ofSeconds(WINDOW_SECONDS + 30));

            Path log = site.server().logFile();
            long from = Files.size(log);
            site.stack().broker().stop();
            Instant stopped = Instant.now();
            long to;
            try {
                JsonNode severed = realm.awaitLink("SEVERED", Duration.ofSeconds(THRESHOLD_SECONDS + 5));
                assertThat(severed.get("cause").asText()).containsAnyOf("unreachable", "no heartbeat for");
                Thread.sleep(Math.max(0, OUTAGE.toMillis() - Duration.between(stopped, Instant.now()).toMillis()));
            } finally {
                to = Files.size(log);
                site.stack().broker().start();
            }
            Instant restarted = Instant.now();
            realm.awaitLink("CONNECTED", RECONNECTED_WITHIN);
            Duration reconnected = Duration.between(restarted, Instant.now());
            LogWindow outage = LogWindow.read(log, from, to);
            LogWindow recovery = LogWindow.read(log, to, Files.size(log));
            System.out.println("Server log during the " + OUTAGE.toSeconds() + " s without the broker:\n" + outage.report()
                    + "\nFrom the broker's restart to CONNECTED (" + reconnected.toMillis() + " ms):\n" + recovery.report());

            assertThat(outage.lines()).as("lines in the server log during %s without the broker:\n%s", OUTAGE, outage.report())
                    .isLessThanOrEqualTo(MAX_LINES);
            String own = "replica 'hq' of realm '" + realm.name + "': link CONNECTED -> SEVERED: ";
            assertThat(outage.text().lines().filter(line -> line.contains(own)).toList()).as("the replica's own SEVERED line in\n%s", outage.text())
                    .singleElement().satisfies(line -> assertThat(line)
                            .contains(" WARN ")
                            .contains("The link to " + ReplicaSite.UPSTREAM_NAME + " (Kafka at " + site.stack().broker().bootstrapServers()
                                    + ") is down: people sign in here from what this site holds; passwords and other sign-in methods "
                                    + "cannot be changed here"));
            // The provider quietened the Kafka client itself, and said so when Keycloak started.
            assertThat(Files.readString(log)).contains("replica: the Kafka client logs only its warnings here (org.apache.kafka: WARN)");
        }
    }

    /** A stretch of a Keycloak server log, its lines counted by the level and category of the entry they belong to. */
    record LogWindow(String text, Map<String, Integer> linesByEntry) {

        /** Keycloak's default console format: date, time, level, [category], (thread), message. */
        private static final Pattern ENTRY = Pattern.compile("^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2},\\d{3} +(\\w+) +\\[([^\\]]+)]");

        static LogWindow read(Path log, long from, long to) throws IOException {
            byte[] bytes = new byte[(int) Math.max(0, to - from)];
            try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
                file.seek(from);
                file.readFully(bytes);
            }
            String text = new String(bytes, StandardCharsets.UTF_8);
            Map<String, Integer> counts = new TreeMap<>();
            // A line that starts no entry (a stack trace, a message's second line) counts with the entry above it.
            String entry = "(before the first entry)";
            String[] lines = text.split("\n", -1);
            for (int i = 0; i < (text.endsWith("\n") ? lines.length - 1 : lines.length); i++) {
                String line = lines[i];
                Matcher m = ENTRY.matcher(line);
                if (m.find()) {
                    entry = String.format("%-5s %s", m.group(1), m.group(2));
                }
                counts.merge(entry, 1, Integer::sum);
            }
            return new LogWindow(text, counts);
        }

        int lines() {
            return linesByEntry.values().stream().mapToInt(Integer::intValue).sum();
        }

        String report() {
            List<Map.Entry<String, Integer>> rows = new ArrayList<>(linesByEntry.entrySet());
            rows.sort(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()));
            Map<String, Integer> ordered = new LinkedHashMap<>();
            rows.forEach(r -> ordered.put(r.getKey(), r.getValue()));
            StringBuilder out = new StringBuilder();
            ordered.forEach((entry, count) -> out.append(String.format("%6d  %s%n", count, entry)));
            return out.append(String.format("%6d  in all%n", lines())).toString();
        }
    }
}
