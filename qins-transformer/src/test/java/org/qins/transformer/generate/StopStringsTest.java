package org.qins.transformer.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopStringsTest {

    @Test
    void withoutStopStringsEverythingPassesAtOnce() {
        StopStrings s = new StopStrings(List.of());
        assertThat(s.push("abc")).isEqualTo("abc");
        assertThat(s.flush()).isEmpty();
        assertThat(s.stopped()).isFalse();
    }

    @Test
    void aStopStringSplitOverPiecesIsHeldThenDropped() {
        StopStrings s = new StopStrings(List.of("END"));
        assertThat(s.push("hello E")).isEqualTo("hello ");
        assertThat(s.push("N")).isEmpty();
        assertThat(s.push("D and more")).isEmpty();
        assertThat(s.stopped()).isTrue();
        assertThat(s.push("later")).isEmpty();
        assertThat(s.flush()).isEmpty();
    }

    @Test
    void aPrefixThatStopsMatchingIsReleased() {
        StopStrings s = new StopStrings(List.of("END"));
        assertThat(s.push("E")).isEmpty();
        assertThat(s.push("Nx")).isEqualTo("ENx");
        assertThat(s.push("EN")).isEmpty();
        assertThat(s.flush()).isEqualTo("EN");
        assertThat(s.stopped()).isFalse();
    }

    @Test
    void theEarliestOfSeveralStopStringsWins() {
        StopStrings s = new StopStrings(List.of("cd", "b"));
        assertThat(s.push("abcd")).isEqualTo("a");
        assertThat(s.stopped()).isTrue();
    }

    @Test
    void everythingReleasedPlusTheStopEqualsTheTextUpToTheStop() {
        String text = "the cat sat on the mat. The end.";
        for (int cut = 1; cut < 6; cut++) {
            StopStrings s = new StopStrings(List.of("mat.", "zzz"));
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < text.length(); i += cut) {
                out.append(s.push(text.substring(i, Math.min(text.length(), i + cut))));
            }
            out.append(s.flush());
            assertThat(out.toString()).as("pieces of %d", cut).isEqualTo("the cat sat on the ");
        }
    }

    @Test
    void emptyStopStringsAreRefused() {
        assertThatThrownBy(() -> new StopStrings(List.of(""))).hasMessageContaining("must not be empty");
    }
}
