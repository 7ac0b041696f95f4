package io.github.keycloakreplica.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.github.keycloakreplica.protocol.Fact;
import io.github.keycloakreplica.protocol.UserChange;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DeprovisioningExposuresTest {

    private static UserChange set(String name, JsonNode value) {
        return new UserChange.SetAttribute(Fact.attribute(name, 2, value));
    }

    @Test
    void aDeletionOrADisablingTakesThePersonsAccessAway() {
        assertThat(DeprovisioningExposures.kind(List.of(new UserChange.Delete()))).isEqualTo("deleted");
        assertThat(DeprovisioningExposures.kind(List.of(set("lastName", TextNode.valueOf("Doe")), set("enabled", BooleanNode.FALSE))))
                .isEqualTo("disabled");
    }

    @Test
    void enablingChangingOrDroppingTheFlagTakesNothingAway() {
        assertThat(DeprovisioningExposures.kind(List.of(set("enabled", BooleanNode.TRUE)))).isNull();
        assertThat(DeprovisioningExposures.kind(List.of(set("enabled", null)))).as("absent: enabled by default").isNull();
        assertThat(DeprovisioningExposures.kind(List.of(set("email", TextNode.valueOf("j@x"))))).isNull();
        assertThat(DeprovisioningExposures.kind(List.of())).isNull();
    }
}
