package org.qins.tools.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TextTableTest {

    @Test
    void padsEveryColumnToItsWidestCell() {
        String t = TextTable.render(List.of(new String[] {"metric", "fp32", "qins"}, new String[] {"decode tokens/s", "6.1", "14.2 (x2.33)"}));
        assertThat(t).isEqualTo("metric          | fp32 | qins\ndecode tokens/s | 6.1  | 14.2 (x2.33)\n");
    }

    @Test
    void markdownHasAHeaderSeparatorEscapesPipesAndPadsShortRows() {
        String t = TextTable.markdown(List.of(new String[] {"tensor", "error"}, new String[] {"a|b", "1%"}, new String[] {"all"}));
        assertThat(t).isEqualTo("| tensor | error |\n| --- | --- |\n| a\\|b | 1% |\n| all |  |\n");
    }
}
