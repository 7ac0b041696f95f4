package io.github.keycloakreplica.protocol;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class UserChangeTest {

    private static Fact password(String id, long version, long createdDate) {
        ObjectNode value = JsonNodeFactory.instance.objectNode().put("type", "password").put("credentialData", "{}")
                .put("secretData", "{\"value\":\"" + id + version + "\"}").put("createdDate", createdDate);
        return Fact.credential(id, version, value);
    }

    private static Ledger liveWith(Fact... credentials) {
        Ledger ledger = Ledger.empty();
        List<Fact> applied = new ArrayList<>();
        ledger.offer(Fact.attribute("username", 1, TextNode.valueOf("ann")), applied);
        for (Fact credential : credentials) {
            ledger.offer(credential, applied);
        }
        return ledger;
    }

    @Test
    void aCredentialChangeSetsTheWholeProjectionAndNamesWhatChanged() {
        Ledger ledger = liveWith(password("old", 1, 10));
        List<Fact> applied = new ArrayList<>();
        Fact replacement = password("new", 1, 20);
        ledger.offer(replacement, applied);
        List<UserChange> changes = UserChange.between(true, ledger, applied);
        assertThat(changes).containsExactly(new UserChange.SetCredentials(CredentialProjection.of(ledger.current(Fact.Kind.CREDENTIAL)),
                Set.of("new")));
        assertThat(((UserChange.SetCredentials) changes.get(0)).credentials()).containsOnlyKeys("new");
    }

    @Test
    void aProjectionCarriesAbsentAttributesAndRewritesOnlyTheCredentialsJustApplied() {
        Ledger ledger = liveWith(password("p", 1, 10));
        List<Fact> applied = new ArrayList<>();
        ledger.offer(Fact.attribute("department", 1, TextNode.valueOf("ops")), applied);
        ledger.offer(Fact.attribute("department", 2, null), applied);
        UserChange.Project project = (UserChange.Project) UserChange.projection(ledger, applied);
        assertThat(project.attributes()).containsKeys("username", "department");
        assertThat(project.attributes().get("department").present()).isFalse();
        assertThat(project.credentials()).containsOnlyKeys("p");
        assertThat(project.changedCredentials()).isEmpty();
    }

    @Test
    void theProjectionOfASubjectThatIsNoUserIsADeletion() {
        assertThat(UserChange.projection(Ledger.empty(), List.of())).isInstanceOf(UserChange.Delete.class);
    }
}
