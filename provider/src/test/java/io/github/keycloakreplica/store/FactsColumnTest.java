package io.github.keycloakreplica.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.github.keycloakreplica.protocol.Fact;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FactsColumnTest {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    @Test
    void factsComeBackWithVersionsValuesAndProvenance() throws Exception {
        Fact email = Fact.attribute("email", 8, NODES.textNode("alice@example.com"))
                .from(new Fact.Provenance("evt-8", "keycloak://primary/realms/acme"));
        Fact removed = Fact.attribute("department", 3, null).from(new Fact.Provenance("evt-3", null));
        Fact password = Fact.credential("cred-1", 2, new ObjectMapper().readTree("{\"type\":\"password\",\"secretData\":\"{}\"}"));

        List<Fact> read = FactsColumn.read(FactsColumn.write(List.of(password, email, removed)), "row-1");

        assertThat(read).containsExactlyInAnyOrder(email, removed, password);
    }

    @Test
    void theSameFactsInAnyOrderWriteTheSameText() {
        Fact a = Fact.attribute("a", 1, NODES.textNode("x"));
        Fact b = Fact.attribute("b", 2, NODES.textNode("y"));
        Fact c = Fact.credential("a", 1, NODES.objectNode());

        assertThat(FactsColumn.write(List.of(a, b, c))).isEqualTo(FactsColumn.write(List.of(c, b, a)));
    }

    @Test
    void theTextIsWhatRowsWrittenBeforeHoldSoAnUnchangedLedgerLeavesThemAlone() {
        Fact email = Fact.attribute("email", 8, NODES.textNode("alice@example.com"))
                .from(new Fact.Provenance("evt-8", "keycloak://primary/realms/acme"));
        Fact removed = Fact.attribute("department", 3, null);
        Fact roles = Fact.attribute("realmRoles", 2, NODES.arrayNode().add("operator").add("auditor"));

        assertThat(FactsColumn.write(List.of(email, removed, roles))).isEqualTo("["
                + "{\"kind\":\"attribute\",\"name\":\"department\",\"version\":3,\"value\":null,\"eventId\":null,\"source\":null},"
                + "{\"kind\":\"attribute\",\"name\":\"email\",\"version\":8,\"value\":\"alice@example.com\",\"eventId\":\"evt-8\","
                + "\"source\":\"keycloak://primary/realms/acme\"},"
                + "{\"kind\":\"attribute\",\"name\":\"realmRoles\",\"version\":2,\"value\":[\"operator\",\"auditor\"],\"eventId\":null,"
                + "\"source\":null}]");
    }

    @Test
    void aRowWithoutFactsHasNone() {
        assertThat(FactsColumn.read(null, "row-1")).isEmpty();
        assertThat(FactsColumn.read("", "row-1")).isEmpty();
    }

    @Test
    void aDamagedColumnNamesTheRowAndNeverShowsAValue() {
        assertThatThrownBy(() -> FactsColumn.read("{not json", "row-7"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("REPLICA_SUBJECT row row-7")
                .hasMessageContaining("not JSON");
        assertThatThrownBy(() -> FactsColumn.read("[{\"kind\":\"credential\",\"name\":\"c\",\"version\":0,\"value\":{\"secretData\":\"hunter2\"}}]", "row-8"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("row-8")
                .hasMessageContaining("positive version")
                .hasMessageNotContaining("hunter2");
    }
}
