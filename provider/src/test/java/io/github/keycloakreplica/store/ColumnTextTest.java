package io.github.keycloakreplica.store;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ColumnTextTest {

    @Test
    void nullAndFittingTextsStayAsTheyAre() {
        assertThat(ColumnText.truncate(null, 5)).isNull();
        assertThat(ColumnText.truncate("", 5)).isEmpty();
        assertThat(ColumnText.truncate("abcde", 5)).isEqualTo("abcde");
    }

    @Test
    void aLongerTextIsCutToTheColumnWithAnEllipsis() {
        String cut = ColumnText.truncate("abcdef", 5);

        assertThat(cut).isEqualTo("abcd…").hasSize(5);
    }
}
