package io.github.keycloakreplica.credential;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.keycloakreplica.config.WritePathSettings;
import io.github.keycloakreplica.stream.CredentialChangeRequest;
import io.github.keycloakreplica.stream.CredentialRevocation;
import io.github.keycloakreplica.stream.CredentialUpsert;
import io.github.keycloakreplica.stream.InvalidEventException;
import io.github.keycloakreplica.stream.StreamEvent;
import io.github.keycloakreplica.stream.WritePathCodec;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * One exchange with the authority's credential write path: POST the request, and either return the
 * credential events the authority published for it or say, in words, why the change stays unconfirmed.
 * Plain logic over a {@link Transport}, so tests reach every answer without a server.
 */
public final class WritePathClient {

    private static final Logger log = Logger.getLogger(WritePathClient.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int MAX_SHOWN_DESCRIPTION = 300;

    /** An HTTP POST; Keycloak's own HTTP client in production (its truststore and proxy settings apply). */
    @FunctionalInterface
    public interface Transport {

        /** @throws IOException when there is no answer (connection refused, timeout) */
        Answer post(WritePathSettings settings, Map<String, String> headers, byte[] body) throws IOException;
    }

    /** An HTTP answer. */
    public record Answer(int status, byte[] body) {
    }

    private final WritePathSettings settings;
    private final WritePathCodec codec;
    private final Transport transport;
    private final String upstream;

    /** @param upstream what people call the authority, for messages */
    public WritePathClient(WritePathSettings settings, WritePathCodec codec, Transport transport, String upstream) {
        this.settings = settings;
        this.codec = codec;
        this.transport = transport;
        this.upstream = upstream;
    }

    /**
     * @return the credential events the authority published for this change, all of the request's subject
     * @throws WritePathException when the change is not confirmed; nothing may be stored then
     */
    public List<StreamEvent> submit(CredentialChangeRequest request) throws WritePathException {
        String basic = Base64.getEncoder().encodeToString((settings.clientId() + ":" + settings.secret()).getBytes(StandardCharsets.UTF_8));
        Map<String, String> headers = Map.of(
                "Authorization", "Basic " + basic,
                "Content-Type", "application/json",
                "Accept", "application/json",
                "Idempotency-Key", request.id());
        Answer answer;
        long started = System.nanoTime();
        try {
            answer = transport.post(settings, headers, codec.encode(request));
        } catch (IOException e) {
            throw unconfirmed(request, upstream + " could not be reached (" + e.getClass().getSimpleName() + ")");
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        int status = answer.status();
        if (status == 200 || status == 201) {
            List<StreamEvent> events;
            try {
                events = codec.decodeConfirmation(answer.body());
            } catch (InvalidEventException e) {
                throw unconfirmed(request, upstream + " answered, but not with a confirmation this site can apply: " + e.getMessage());
            }
            String problem = problemWith(request, events);
            if (problem != null) {
                throw unconfirmed(request, upstream + " answered with " + problem);
            }
            log.debugf("replica: %s confirmed %s in %d ms with %d event(s)", upstream, request, millis, events.size());
            return events;
        }
        if (status == 401 || status == 403) {
            throw unconfirmed(request, upstream + " did not accept this site's write path credentials (HTTP " + status + ")");
        }
        if (status >= 400 && status < 500) {
            String description = description(answer.body());
            log.infof("replica: %s refused %s: HTTP %d %s", upstream, request, status, description);
            throw new WritePathException(WritePathException.Kind.REFUSED, description == null
                    ? upstream + " refused the change (HTTP " + status + ")" : description);
        }
        throw unconfirmed(request, upstream + " answered HTTP " + status);
    }

    private WritePathException unconfirmed(CredentialChangeRequest request, String why) {
        log.warnf("replica: %s is not confirmed: %s", request, why);
        return new WritePathException(WritePathException.Kind.UNCONFIRMED, why);
    }

    /** A confirmation must be about the subject asked for, and only about credentials; null when it is. */
    static String problemWith(CredentialChangeRequest request, List<StreamEvent> events) {
        if (events.isEmpty()) {
            return "no events: a confirmed change is published as at least one credential event";
        }
        for (StreamEvent event : events) {
            if (!(event instanceof CredentialUpsert) && !(event instanceof CredentialRevocation)) {
                return "a " + event.envelope().type() + " event; a confirmation carries credential events only";
            }
            if (!request.subject().equals(event.subject())) {
                return "an event of another subject";
            }
        }
        return null;
    }

    /** The authority's {@code error_description} (OAuth 2 style), made safe to show in a page or a log. */
    static String description(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            JsonNode root = MAPPER.readTree(body);
            JsonNode text = root.hasNonNull("error_description") ? root.get("error_description") : root.get("error");
            if (text == null || !text.isTextual() || text.asText().isBlank()) {
                return null;
            }
            String shown = text.asText().strip();
            if (shown.length() > MAX_SHOWN_DESCRIPTION) {
                shown = shown.substring(0, MAX_SHOWN_DESCRIPTION) + "…";
            }
            // Keycloak formats messages with MessageFormat: quotes and braces in foreign text would garble them.
            return shown.replace('\'', '’').replace('{', '(').replace('}', ')').replaceAll("\\p{Cntrl}", " ");
        } catch (IOException e) {
            return null;
        }
    }
}
