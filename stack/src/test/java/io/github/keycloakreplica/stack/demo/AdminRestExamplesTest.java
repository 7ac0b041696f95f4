package io.github.keycloakreplica.stack.demo;

import io.github.keycloakreplica.stack.StackException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdminRestExamplesTest {

    private static final Path README = Path.of("..", "README.md");

    @Test
    void readmesBlockDeclaresWhatASiteFillsInAndCallsWhatItSays() {
        AdminRestExamples examples = AdminRestExamples.fromReadme(README);

        assertThat(examples.declared(AdminRestExamples.BASE_URL)).startsWith("http://");
        assertThat(examples.declared(AdminRestExamples.REALM)).isEqualTo("acme");
        assertThat(examples.declared(AdminRestExamples.SUBJECT)).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(examples.script()).contains("client_id=admin-cli", "/replica/link", "/replica/lag", "/replica/operations",
                "\"kind\":\"targeted\"", "/replica/subjects/$SUBJECT");
        assertThat(examples.calls()).as("the token, then five calls").isEqualTo(6);
    }

    @Test
    void aSitesValuesGoIntoTheDeclarationsAndNowhereElse() {
        AdminRestExamples printed = AdminRestExamples.fromReadme(README);

        AdminRestExamples site = printed.with(AdminRestExamples.BASE_URL, "http://127.0.0.1:10376").with(AdminRestExamples.REALM, "acme-2");

        assertThat(site.lines().get(0)).isEqualTo("KC=http://127.0.0.1:10376 REALM=acme-2 SUBJECT="
                + printed.declared(AdminRestExamples.SUBJECT));
        assertThat(site.lines().subList(1, site.lines().size())).isEqualTo(printed.lines().subList(1, printed.lines().size()));
        assertThat(site.declared(AdminRestExamples.REALM)).isEqualTo("acme-2");
    }

    @Test
    void aValueTheShellWouldReadOtherwiseIsRefused() {
        AdminRestExamples printed = AdminRestExamples.fromReadme(README);
        for (String value : new String[] {"two words", "$(id)", "a;b", "'quoted'", ""}) {
            assertThatThrownBy(() -> printed.with(AdminRestExamples.REALM, value)).as(value).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aReadmeWithoutTheBlockOrWithTwoIsRefused() {
        String block = "```bash\nKC=http://x:1 REALM=r SUBJECT=s\ncurl -s \"$KC/admin/realms/$REALM/replica/link\"\n```\n";
        assertThat(AdminRestExamples.parse("# Title\n\n" + block, "one").calls()).isEqualTo(1);
        assertThatThrownBy(() -> AdminRestExamples.parse("```bash\nmvn verify\n```\n", "none")).isInstanceOf(StackException.class)
                .hasMessageContaining("has 0 fenced bash blocks that call /replica/");
        assertThatThrownBy(() -> AdminRestExamples.parse(block + "\n" + block, "two")).isInstanceOf(StackException.class)
                .hasMessageContaining("has 2 fenced bash blocks");
        assertThatThrownBy(() -> AdminRestExamples.parse(block.replace(" SUBJECT=s", ""), "undeclared")).isInstanceOf(StackException.class)
                .hasMessageContaining("declaring SUBJECT=");
    }
}
