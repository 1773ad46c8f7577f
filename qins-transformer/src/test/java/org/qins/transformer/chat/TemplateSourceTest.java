package org.qins.transformer.chat;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The source rewrites, one by one; ChatTemplateParityTest checks their rendering against Jinja2. */
class TemplateSourceTest {

    @Test
    void keywordArgumentValuesAreParenthesised() {
        assertThat(TemplateSource.adapt("{% set ns = namespace(a=true, i=messages|length - 1) %}"))
                .isEqualTo("{% set ns = namespace(a=(true), i=(messages|length - 1)) %}");
        assertThat(TemplateSource.adapt("{{ x|tojson(indent=4) }}{{ f(g(k=1), 'a=b', j == 2) }}"))
                .isEqualTo("{{ x|tojson(indent=(4)) }}{{ f(g(k=(1)), 'a=b', j == 2) }}");
        assertThat(TemplateSource.adapt("{% set x = 1 %}{% if a != b and c <= d %}{% endif %}"))
                .isEqualTo("{% set x = 1 %}{% if a != b and c <= d %}{% endif %}");
    }

    @Test
    void slicesWithAStepBecomeAFilter() {
        assertThat(TemplateSource.adapt("{% for m in messages[::-1] %}{% endfor %}"))
                .isEqualTo("{% for m in (messages|py_slice(none, none, -1)) %}{% endfor %}");
        assertThat(TemplateSource.adapt("{{ a.b[1:][0:4:2] }}{{ 'abc'[::2] }}{{ x[1:2] }}{{ [1, 2][0] }}"))
                .isEqualTo("{{ (a.b[1:]|py_slice(0, 4, 2)) }}{{ ('abc'|py_slice(none, none, 2)) }}{{ x[1:2] }}{{ [1, 2][0] }}");
    }

    @Test
    void notTakesTheWholeComparisonOrTest() {
        assertThat(TemplateSource.adapt("{%- if not date_string is defined -%}"))
                .isEqualTo("{%- if not (date_string is defined) -%}");
        assertThat(TemplateSource.adapt("{{ 'a' if not x > 1 and y else 'b' }}{{ r not in ['s'] }}{{ v is not none }}"))
                .isEqualTo("{{ 'a' if not (x > 1) and y else 'b' }}{{ r not in ['s'] }}{{ v is not none }}");
        assertThat(TemplateSource.adapt("{{ f(not a, b) }}{{ not (a or b) }}"))
                .isEqualTo("{{ f(not (a), b) }}{{ not ((a or b)) }}");
    }

    @Test
    void blocksAreLeftStrippedOnlyAtTheStartOfALine() {
        assertThat(TemplateSource.adapt("a\n    {% if x %}\n  b {% endif %}c"))
                .isEqualTo("a\n{% if x %}\n  b {% endif %}c");
        assertThat(TemplateSource.adapt("  {%+ if x %}{% endif %}")).isEqualTo("  {% if x %}{% endif %}");
    }

    @Test
    void commentsGoWithTheWhitespaceJinjaRemoves() {
        assertThat(TemplateSource.adapt("a\n{# note #}\nb")).isEqualTo("a\nb");
        assertThat(TemplateSource.adapt("a  \n{#- note #}b")).isEqualTo("ab");
        assertThat(TemplateSource.adapt("a{# note -#}\n\n  b")).isEqualTo("ab");
        assertThat(TemplateSource.adapt("x: {# n #} y")).isEqualTo("x:  y");
    }

    @Test
    void stringsMacrosAndTheTextOutsideTagsAreKept() {
        assertThat(TemplateSource.adapt("f(a=1) not x[::-1] {{ 'not x[::-1] f(a=1)' }}"))
                .isEqualTo("f(a=1) not x[::-1] {{ 'not x[::-1] f(a=1)' }}");
        assertThat(TemplateSource.adapt("{% macro m(a=1) %}{% endmacro %}")).isEqualTo("{% macro m(a=1) %}{% endmacro %}");
        assertThat(TemplateSource.adapt("{{ x }}\n")).isEqualTo("{{ x }}");
    }
}
