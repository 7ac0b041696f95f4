package io.github.keycloakreplica.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.keycloakreplica.stream.CredentialRevocation;
import io.github.keycloakreplica.stream.CredentialUpsert;
import io.github.keycloakreplica.stream.CredentialsSnapshot;
import io.github.keycloakreplica.stream.IdentityDeletion;
import io.github.keycloakreplica.stream.IdentitySnapshot;
import io.github.keycloakreplica.stream.IdentityUpsert;
import io.github.keycloakreplica.stream.ReplicatedCredential;
import io.github.keycloakreplica.stream.StreamEvent;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Applies one event, or one snapshot, to a subject's ledger and says what Keycloak must do about it.
 * Pure: the caller loads the ledger, persists what changed and carries out the user changes.
 */
public final class SubjectApply {

    private SubjectApply() {
    }

    /**
     * @param outcome  what became of the event as a whole
     * @param applied  facts that became current, this event's and any it unblocked, in order
     * @param stale    names of this event's facts that were at or below the stored version
     * @param buffered names of this event's facts that wait in the gap buffer
     * @param changes  what Keycloak's user must do
     */
    public record Result(Outcome outcome, List<Fact> applied, List<String> stale, List<String> buffered,
                         List<UserChange> changes) {
    }

    public static Result apply(Ledger ledger, StreamEvent event) {
        boolean liveBefore = ledger.live();
        List<Fact> applied = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        List<String> buffered = new ArrayList<>();
        boolean any = false;
        for (Fact fact : facts(event)) {
            switch (ledger.offer(fact, applied)) {
                case APPLY -> any = true;
                case STALE -> stale.add(fact.name());
                case GAP -> buffered.add(fact.name());
            }
        }
        Outcome outcome = any ? Outcome.APPLIED : buffered.isEmpty() ? Outcome.STALE : Outcome.BUFFERED;
        return new Result(outcome, applied, stale, buffered, UserChange.between(liveBefore, ledger, applied));
    }

    public static Result repair(Ledger ledger, Collection<Fact> snapshot) {
        boolean liveBefore = ledger.live();
        List<Fact> applied = new ArrayList<>();
        ledger.fastForward(snapshot, applied);
        return new Result(Outcome.REPAIRED, applied, List.of(), List.of(), UserChange.between(liveBefore, ledger, applied));
    }

    /** The facts an event carries, each marked with the event it came in. */
    public static List<Fact> facts(StreamEvent event) {
        Fact.Provenance origin = new Fact.Provenance(event.envelope().id(), event.envelope().source());
        List<Fact> facts = new ArrayList<>();
        if (event instanceof IdentityUpsert upsert) {
            upsert.attributes().forEach((name, v) -> facts.add(Fact.attribute(name, v.version(), v.isAbsent() ? null : v.value())));
        } else if (event instanceof IdentityDeletion deletion) {
            deletion.versions().forEach((name, version) -> facts.add(Fact.attribute(name, version, null)));
        } else if (event instanceof CredentialUpsert upsert) {
            ReplicatedCredential c = upsert.credential();
            facts.add(Fact.credential(c.id(), c.version(), credentialValue(c)));
        } else if (event instanceof CredentialRevocation revocation) {
            facts.add(Fact.credential(revocation.credentialId(), revocation.version(), null));
        } else if (event instanceof IdentitySnapshot snapshot) {
            snapshot.attributes().forEach((name, v) -> facts.add(Fact.attribute(name, v.version(), v.isAbsent() ? null : v.value())));
        } else if (event instanceof CredentialsSnapshot snapshot) {
            snapshot.credentials().forEach(c -> facts.add(Fact.credential(c.id(), c.version(), credentialValue(c))));
            snapshot.revoked().forEach((id, version) -> facts.add(Fact.credential(id, version, null)));
        }
        facts.replaceAll(f -> f.from(origin));
        return facts;
    }

    /** A credential as a fact's value: Keycloak's stored format, as the stream carried it. */
    public static JsonNode credentialValue(ReplicatedCredential c) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("type", c.type());
        node.put("credentialData", c.credentialData());
        node.put("secretData", c.secretData());
        if (c.createdDate() != null) {
            node.put("createdDate", c.createdDate());
        }
        if (c.userLabel() != null) {
            node.put("userLabel", c.userLabel());
        }
        return node;
    }

    /** The credential a fact's value holds, for writing it into Keycloak. */
    public static ReplicatedCredential credential(Fact fact) {
        JsonNode v = fact.value();
        return new ReplicatedCredential(fact.name(), v.get("type").asText(), fact.version(), v.get("credentialData").asText(),
                v.get("secretData").asText(), v.hasNonNull("createdDate") ? v.get("createdDate").asLong() : null,
                v.hasNonNull("userLabel") ? v.get("userLabel").asText() : null);
    }
}
