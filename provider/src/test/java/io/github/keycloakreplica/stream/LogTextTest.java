package io.github.keycloakreplica.stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LogTextTest {

    @Test
    void controlFormatAndLoneSurrogateCharactersBecomeEscapes() {
        assertThat(LogText.escape("key\nINFO forged\r\tend")).isEqualTo("key\\u000aINFO forged\\u000d\\u0009end");
        assertThat(LogText.escape("nul\u0000here")).isEqualTo("nul\\u0000here");
        assertThat(LogText.escape("abc\u202Edef")).isEqualTo("abc\\u202edef");
        assertThat(LogText.escape("lone \uD800 high, lone \uDC00 low")).isEqualTo("lone \\ud800 high, lone \\udc00 low");
    }

    @Test
    void ordinaryTextAndPairedSurrogatesStayAsTheyAre() {
        String text = "Zoë Ødegård 山田 \uD83D\uDE00";
        assertThat(LogText.escape(text)).isSameAs(text);
        assertThat(LogText.escape(null)).isNull();
    }

    @Test
    void aBoundCutsWithAnEllipsisAfterEscaping() {
        assertThat(LogText.escape("a\nb" + "c".repeat(20), 10)).isEqualTo("a\\u000abc…").hasSize(10);
        assertThat(LogText.escape("short", 10)).isEqualTo("short");
    }
}
