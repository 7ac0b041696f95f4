package io.github.keycloakreplica.stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogSafeTest {

    @Test
    void aNewlineCannotStartAForgedLogLine() {
        String forged = "offboarding\n2026-01-01 00:00:00,000 INFO  [org.keycloak.events] admin granted realm-admin";

        assertThat(LogSafe.escape(forged, 1_000))
                .doesNotContain("\n")
                .startsWith("offboarding\\u000A2026-01-01");
    }

    @Test
    void everyControlCharacterIsWrittenAsAnEscape() {
        assertThat(LogSafe.escape("a\rb\tc\u0000d\u001Be\u007Ff\u0085g")).isEqualTo("a\\u000Db\\u0009c\\u0000d\\u001Be\\u007Ff\\u0085g");
        assertThat(LogSafe.escape("line\u2028separator\u2029paragraph")).isEqualTo("line\\u2028separator\\u2029paragraph");
    }

    @Test
    void bidiControlsCannotReorderTheLine() {
        assertThat(LogSafe.escape("user \u202Enimda\u202C ok \u2066x\u2069 \u200F\u200E\u061C"))
                .isEqualTo("user \\u202Enimda\\u202C ok \\u2066x\\u2069 \\u200F\\u200E\\u061C");
    }

    @Test
    void ordinaryTextIsLeftAsItIs() {
        String text = "Müller, José – 日本語 😀 \\u000A is just text here";

        assertThat(LogSafe.escape(text)).isEqualTo(text);
    }

    @Test
    void anUnpairedSurrogateIsEscapedRatherThanWrittenAsAQuestionMark() {
        assertThat(LogSafe.escape("a\uD800b\uDC00")).isEqualTo("a\\uD800b\\uDC00");
    }

    @Test
    void aLongTextIsCutWithAnEllipsisAndNeverInsideAPair() {
        assertThat(LogSafe.escape("abcdef", 3)).isEqualTo("abc…");
        assertThat(LogSafe.escape("abc", 3)).isEqualTo("abc");
        assertThat(LogSafe.escape("ab😀cd", 3)).as("the pair is not split").isEqualTo("ab…");
        assertThat(LogSafe.escape("ab😀cd", 4)).isEqualTo("ab😀…");
        assertThat(LogSafe.escape("x".repeat(10_000))).hasSize(LogSafe.DEFAULT_MAX_LENGTH + 1).endsWith("…");
    }

    @Test
    void storedTextIsEscapedWholeAndNullStaysNull() {
        assertThat(LogSafe.escapeWhole("nul\u0000" + "x".repeat(10_000))).startsWith("nul\\u0000x").hasSize(10_009);
        assertThat(LogSafe.escapeWhole("")).isEmpty();
        assertThat(LogSafe.escapeWhole(null)).isNull();
    }

    @Test
    void nullReadsAsNull() {
        assertThat(LogSafe.escape(null)).isEqualTo("null");
        assertThatThrownBy(() -> LogSafe.escape("a", 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
