package io.github.keycloakreplica.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.keycloakreplica.protocol.Fact;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * A subject's current facts as its row keeps them: a JSON array with, per attribute or credential id,
 * its kind, name, version, value (null when absent) and the event and authority it came from. Written in
 * a stable order, so that an unchanged ledger writes the same text and the row is not updated for it.
 */
public final class FactsColumn {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Comparator<Fact> ORDER = Comparator.comparing((Fact f) -> f.kind()).thenComparing(Fact::name);

    private FactsColumn() {
    }

    public static String write(Collection<Fact> facts) {
        List<Fact> sorted = new ArrayList<>(facts);
        sorted.sort(ORDER);
        // Streamed rather than built as a tree: a full sync writes this for every subject it brings.
        StringWriter text = new StringWriter(256);
        try (JsonGenerator json = JSON.createGenerator(text)) {
            json.writeStartArray();
            for (Fact fact : sorted) {
                json.writeStartObject();
                json.writeStringField("kind", fact.kind() == Fact.Kind.ATTRIBUTE ? "attribute" : "credential");
                json.writeStringField("name", fact.name());
                json.writeNumberField("version", fact.version());
                json.writeFieldName("value");
                if (fact.value() == null) {
                    json.writeNull();
                } else {
                    JSON.writeTree(json, fact.value());
                }
                json.writeStringField("eventId", fact.provenance().eventId());
                json.writeStringField("source", fact.provenance().source());
                json.writeEndObject();
            }
            json.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException("writing a subject's facts as JSON", e);
        }
        return text.toString();
    }

    /** The facts of a column as {@link #write} wrote it; an empty list for null (a row without facts yet). */
    public static List<Fact> read(String column, String subjectRowId) {
        List<Fact> facts = new ArrayList<>();
        if (column == null || column.isEmpty()) {
            return facts;
        }
        JsonNode array;
        try {
            array = JSON.readTree(column);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(unreadable(subjectRowId, "it is not JSON"), e);
        }
        if (!array.isArray()) {
            throw new IllegalStateException(unreadable(subjectRowId, "it is not a JSON array"));
        }
        for (JsonNode node : array) {
            String kind = node.path("kind").asText();
            if (!kind.equals("attribute") && !kind.equals("credential") || !node.path("name").isTextual()
                    || !node.path("version").canConvertToLong() || node.path("version").asLong() < 1) {
                throw new IllegalStateException(unreadable(subjectRowId, "an element lacks kind, name or a positive version: "
                        + describe(node)));
            }
            facts.add(new Fact(kind.equals("attribute") ? Fact.Kind.ATTRIBUTE : Fact.Kind.CREDENTIAL, node.get("name").asText(),
                    node.get("version").asLong(), node.get("value"),
                    new Fact.Provenance(text(node.get("eventId")), text(node.get("source")))));
        }
        return facts;
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }

    /** An element without its value: a credential's value holds its secret. */
    private static String describe(JsonNode node) {
        ObjectNode copy = node.isObject() ? ((ObjectNode) node).deepCopy() : JSON.createObjectNode();
        copy.remove("value");
        return copy.toString();
    }

    private static String unreadable(String subjectRowId, String why) {
        return "the FACTS column of REPLICA_SUBJECT row " + subjectRowId + " cannot be read (" + why
                + "); were the replica's tables changed by hand?";
    }
}
