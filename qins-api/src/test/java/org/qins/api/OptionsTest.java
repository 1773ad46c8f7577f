package org.qins.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptionsTest {

    static final List<OptionSpec> SPECS = List.of(
            OptionSpec.bool("decoded-cache", false, "keep a float copy"),
            OptionSpec.choice("kernel", "auto", "the kernel", "auto", "scalar"),
            OptionSpec.integer("block", 32, "block length"),
            OptionSpec.number("width", 7.9375, "octaves"),
            OptionSpec.text("group", "32", "grouping"));

    @Test
    void givenValuesAreCheckedAndTheRestReadAsDefaults() {
        Options o = Options.of("provider 'p'", SPECS, Map.of("decoded-cache", "TRUE", "kernel", "scalar", "width", "6"));
        assertThat(o.flag("decoded-cache")).isTrue();
        assertThat(o.get("kernel")).isEqualTo("scalar");
        assertThat(o.number("width")).isEqualTo(6.0);
        assertThat(o.integer("block")).isEqualTo(32);
        assertThat(o.get("group")).isEqualTo("32");
        assertThat(o.isGiven("width")).isTrue();
        assertThat(o.isGiven("block")).isFalse();
        assertThat(o.given()).containsOnlyKeys("decoded-cache", "kernel", "width");
    }

    @Test
    void anUnknownKeyNamesTheOwnerAndListsEveryValidOption() {
        assertThatThrownBy(() -> Options.of("linear provider 'qins'", SPECS, Map.of("decoded-cahce", "true")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown option 'decoded-cahce' for linear provider 'qins'; valid options: ")
                .hasMessageContaining("decoded-cache (boolean, default false): keep a float copy")
                .hasMessageContaining("kernel (auto|scalar, default auto)");
        assertThatThrownBy(() -> Options.of("linear provider 'fp32'", List.of(), Map.of("x", "1")))
                .hasMessageContaining("it takes no options");
    }

    @Test
    void aValueOfTheWrongKindSaysWhatIsExpected() {
        assertThatThrownBy(() -> Options.of("p", SPECS, Map.of("decoded-cache", "maybe")))
                .hasMessage("p: option 'decoded-cache' must be true or false, got 'maybe'");
        assertThatThrownBy(() -> Options.of("p", SPECS, Map.of("kernel", "fast")))
                .hasMessageContaining("must be one of auto, scalar");
        assertThatThrownBy(() -> Options.of("p", SPECS, Map.of("block", "3.5"))).hasMessageContaining("an integer");
        assertThatThrownBy(() -> Options.of("p", SPECS, Map.of("width", "NaN"))).hasMessageContaining("a finite number");
        assertThatThrownBy(() -> Options.of("p", SPECS, Map.of("group", " "))).hasMessageContaining("a non-empty value");
    }

    @Test
    void bindReadsAnImplementationsOwnDefaultsFromOptionsBuiltWithoutItsSpecs() {
        Options bound = Options.none().bind("p", SPECS);
        assertThat(bound.get("kernel")).isEqualTo("auto");
        assertThatThrownBy(() -> Options.none().get("kernel")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aChoiceNeedsChoicesAndADefaultMustBeValid() {
        assertThatThrownBy(() -> new OptionSpec("k", OptionSpec.Kind.CHOICE, "a", "h", List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OptionSpec.choice("k", "c", "h", "a", "b")).hasMessageContaining("one of a, b");
    }
}
