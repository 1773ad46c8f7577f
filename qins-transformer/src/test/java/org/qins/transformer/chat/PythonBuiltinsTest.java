package org.qins.transformer.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Python's str methods, json.dumps and float repr as the chat templates get them, and strftime_now. */
class PythonBuiltinsTest {

    @Test
    void strMethods() {
        assertThat(PythonStrings.call("  a b\u00a0\n", "strip", new Object[0])).isEqualTo("a b");
        assertThat(PythonStrings.call("\n\nx\n", "lstrip", new Object[] {"\n"})).isEqualTo("x\n");
        assertThat(PythonStrings.call("<<x>>", "rstrip", new Object[] {"<>"})).isEqualTo("<<x");
        assertThat(PythonStrings.call(" a  b\tc ", "split", new Object[0])).isEqualTo(List.of("a", "b", "c"));
        assertThat(PythonStrings.call("a.b..c", "split", new Object[] {"."})).isEqualTo(List.of("a", "b", "", "c"));
        assertThat(PythonStrings.call("a,b,c", "split", new Object[] {",", 1})).isEqualTo(List.of("a", "b,c"));
        assertThat(PythonStrings.call("x</think>y</think>z", "split", new Object[] {"</think>"})).isEqualTo(List.of("x", "y", "z"));
        assertThat(PythonStrings.call("abc", "startswith", new Object[] {List.of("x", "ab")})).isEqualTo(true);
        assertThat(PythonStrings.call("hello wORLD-x", "title", new Object[0])).isEqualTo("Hello World-X");
        assertThat(PythonStrings.call("aaa", "replace", new Object[] {"a", "b", 2})).isEqualTo("bba");
        assertThat(PythonStrings.call(", ", "join", new Object[] {List.of("", "b")})).isEqualTo(", b");
    }

    @Test
    void jsonDumpsAsPythonWritesIt() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("b", List.of(1, 2.5, true));
        m.put("a", "é\"\u0001");
        m.put("n", null);
        assertThat(new PythonJson(null, null, null, false).dumps(m)).isEqualTo("{\"b\": [1, 2.5, true], \"a\": \"é\\\"\\u0001\", \"n\": null}");
        assertThat(new PythonJson(2, null, null, true).dumps(m))
                .isEqualTo("{\n  \"a\": \"é\\\"\\u0001\",\n  \"b\": [\n    1,\n    2.5,\n    true\n  ],\n  \"n\": null\n}");
        assertThat(new PythonJson(null, ",", ":", false).dumps(List.of(List.of(), Map.of()))).isEqualTo("[[],{}]");
    }

    @Test
    void floatsAsPythonsRepr() {
        assertThat(PythonFloats.repr(1.0)).isEqualTo("1.0");
        assertThat(PythonFloats.repr(0.1)).isEqualTo("0.1");
        assertThat(PythonFloats.repr(1e-5)).isEqualTo("1e-05");
        assertThat(PythonFloats.repr(0.0001)).isEqualTo("0.0001");
        assertThat(PythonFloats.repr(1.5e16)).isEqualTo("1.5e+16");
        assertThat(PythonFloats.repr(123456789012345.6)).isEqualTo("123456789012345.6");
        assertThat(PythonFloats.repr(-2.5e-300)).isEqualTo("-2.5e-300");
    }

    @Test
    void pythonSlices() {
        PySliceFilter f = new PySliceFilter();
        List<Object> abc = new ArrayList<>(List.of("a", "b", "c", "d"));
        assertThat(f.filter(abc, null, new Object[] {null, null, -1L}, Map.of())).isEqualTo(List.of("d", "c", "b", "a"));
        assertThat(f.filter(abc, null, new Object[] {-1L, 0L, -2L}, Map.of())).isEqualTo(List.of("d", "b"));
        assertThat(f.filter(abc, null, new Object[] {1L, null, 2L}, Map.of())).isEqualTo(List.of("b", "d"));
        assertThat(f.filter("héllo", null, new Object[] {null, null, -1L}, Map.of())).isEqualTo("olléh");
    }

    @Test
    void strftimeNowIsDefinedAndFormatsToday() {
        ChatTemplate t = new ChatTemplate("{% if strftime_now is defined %}{{ strftime_now('%d %b %Y') }}{% endif %}", "", "");
        String today = LocalDate.now().format(DateTimeFormatter.ofPattern("dd MMM yyyy", Locale.US));
        String rendered = t.render(List.of(ChatMessage.user("x")), true);
        // a render straddling midnight sees tomorrow
        assertThat(List.of(today, LocalDate.now().format(DateTimeFormatter.ofPattern("dd MMM yyyy", Locale.US)))).contains(rendered);
    }
}
