package io.github.keycloakreplica.stream;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecordTextTest {

    @Test
    void namesWhatADatabaseCannotStoreWithoutQuotingIt() {
        assertThat(RecordText.problemWith("plain text, ünïcödé and \uD83D\uDE80")).isNull();
        assertThat(RecordText.problemWith("a\u0000b")).isEqualTo("the NUL character (U+0000), which PostgreSQL cannot store");
        assertThat(RecordText.problemWith("a\uD800")).startsWith("an unpaired UTF-16 surrogate");
        assertThat(RecordText.problemWith("\uDC00a")).startsWith("an unpaired UTF-16 surrogate");
        assertThat(RecordText.problemWith("\uD800\uD800\uDC00")).startsWith("an unpaired UTF-16 surrogate");
    }

    @Test
    void decodesUtf8StrictlyAndSaysWhereItIsNot() throws Exception {
        assertThat(RecordText.utf8("jöran".getBytes(StandardCharsets.UTF_8), "x")).isEqualTo("jöran");
        assertThatThrownBy(() -> RecordText.utf8(new byte[]{'a', 'b', (byte) 0xE2, (byte) 0x82}, "the key"))
                .hasMessageStartingWith("the key is not valid UTF-8");
        assertThatThrownBy(() -> RecordText.utf8(new byte[]{'a', (byte) 0xED, (byte) 0xB0, (byte) 0x80}, "the key"))
                .hasMessage("the key is not valid UTF-8 (invalid byte sequence at byte offset 1)");
    }

    @Test
    void escapesInsideJsonWhatJacksonLeavesRaw() {
        assertThat(RecordText.escapeRemainingInJson("{\"a\":\"x\u0085y\u2028\uD800\uD83D\uDE80\"}"))
                .isEqualTo("{\"a\":\"x\\u0085y\\u2028\\uD800\uD83D\uDE80\"}");
    }
}
