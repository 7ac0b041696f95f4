package io.github.keycloakreplica.stack.upstream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.keycloakreplica.stream.CredentialChangeRequest;
import io.github.keycloakreplica.stream.InvalidEventException;
import io.github.keycloakreplica.stream.ReplicatedCredential;
import io.github.keycloakreplica.stream.StreamEvent;
import io.github.keycloakreplica.stream.WritePathCodec;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The authority's credential write path as the stream contract describes it, in front of an
 * {@link Upstream}: a loopback HTTP endpoint that takes a replica's change request, checks the client and
 * its own password policy, publishes the resulting credential events on the stream (waiting for the
 * broker), and answers with exactly those events. Repeated request ids get the first answer again.
 * For tests; a primary Keycloak's own write path comes with the publisher.
 */
public final class UpstreamWritePath implements AutoCloseable {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final WritePathCodec CODEC = new WritePathCodec();

    private final Upstream upstream;
    private final String clientId;
    private final String secret;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
        Thread thread = new Thread(r, "upstream-write-path");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, Answer> answered = new ConcurrentHashMap<>();
    private final List<CredentialChangeRequest> received = new CopyOnWriteArrayList<>();
    private volatile int minimumPasswordLength = 8;
    private volatile Integer outage;
    private volatile Duration delay = Duration.ZERO;

    private record Answer(int status, byte[] body) {
    }

    private UpstreamWritePath(Upstream upstream, String clientId, String secret) throws IOException {
        this.upstream = upstream;
        this.clientId = clientId;
        this.secret = secret;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/credentials", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** Starts the endpoint on a free loopback port; the replica authenticates as {@code clientId} / {@code secret}. */
    public static UpstreamWritePath start(Upstream upstream, String clientId, String secret) {
        try {
            return new UpstreamWritePath(upstream, clientId, secret);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the write path endpoint", e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/credentials";
    }

    /**
     * The settings of a replica component that uses this write path, by the names README's settings table
     * documents (the stack follows the component's public settings, not the provider's classes).
     */
    public Map<String, String> componentSettings() {
        return Map.of("writePathUrl", url(), "writePathClientId", clientId, "writePathClientSecret", secret);
    }

    /** The authority's password policy: passwords shorter than this are refused with its own message. */
    public UpstreamWritePath minimumPasswordLength(int length) {
        minimumPasswordLength = length;
        return this;
    }

    /** Answers every request with this HTTP status (a failing authority) until {@link #recover()}. */
    public void fail(int status) {
        outage = status;
    }

    /** Answers every request only after this long (a slow authority). */
    public void delay(Duration delay) {
        this.delay = delay;
    }

    public void recover() {
        outage = null;
        delay = Duration.ZERO;
    }

    /** Every request that reached the authority and was understood, in order. */
    public List<CredentialChangeRequest> received() {
        return List.copyOf(received);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Answer answer = answer(exchange);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(answer.status(), answer.body().length == 0 ? -1 : answer.body().length);
            if (answer.body().length > 0) {
                exchange.getResponseBody().write(answer.body());
            }
        }
    }

    private Answer answer(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        if (!delay.isZero()) {
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!"POST".equals(exchange.getRequestMethod())) {
            return error(405, "invalid_request", "POST only");
        }
        String expected = "Basic " + Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
        if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            return error(401, "invalid_client", "unknown client or wrong secret");
        }
        Integer failing = outage;
        if (failing != null) {
            return error(failing, "temporarily_unavailable", "the authority is failing on purpose");
        }
        CredentialChangeRequest request;
        try {
            request = CODEC.decodeRequest(body);
        } catch (InvalidEventException e) {
            return error(400, "invalid_request", "The request " + e.getMessage());
        }
        received.add(request);
        return answered.computeIfAbsent(request.id(), id -> carryOut(request));
    }

    private Answer carryOut(CredentialChangeRequest request) {
        String subject = request.subject();
        CredentialChangeRequest.Draft draft = request.credential();
        StreamEvent published;
        switch (request.change()) {
            case SET_PASSWORD -> {
                if (request.password().length() < minimumPasswordLength) {
                    return error(400, "invalid_password", "Passwords at HQ must be at least " + minimumPasswordLength + " characters long.");
                }
                String id = upstream.credentials(subject).stream().filter(c -> c.type().equals("password")).map(ReplicatedCredential::id)
                        .findFirst().orElse("pw-" + UUID.randomUUID());
                published = upstream.password(subject, id, request.password());
            }
            case CREATE -> published = upstream.credential(subject, "c-" + UUID.randomUUID(), draft.type(),
                    new KeycloakCredentials.Stored(draft.credentialData(), draft.secretData()), draft.userLabel());
            case REMOVE, RELABEL -> {
                Optional<ReplicatedCredential> current = upstream.credentials(subject).stream().filter(c -> c.id().equals(draft.id())).findFirst();
                if (current.isEmpty()) {
                    return error(404, "unknown_credential", "HQ has no such credential of this person any more.");
                }
                long version = upstream.credentialVersion(subject, draft.id());
                if (version != draft.version()) {
                    return error(409, "conflict", "The credential changed at HQ since this site saw it (version " + version
                            + " there, " + draft.version() + " here). Reload and try again.");
                }
                published = request.change() == CredentialChangeRequest.Change.REMOVE
                        ? upstream.revoke(subject, draft.id(), current.get().type())
                        : upstream.credential(subject, draft.id(), current.get().type(),
                        new KeycloakCredentials.Stored(current.get().credentialData(), current.get().secretData()), draft.userLabel());
            }
            default -> throw new IllegalStateException("unhandled change " + request.change());
        }
        return new Answer(200, CODEC.encodeConfirmation(List.of(published)));
    }

    private static Answer error(int status, String error, String description) {
        try {
            return new Answer(status, MAPPER.writeValueAsBytes(Map.of("error", error, "error_description", description)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
