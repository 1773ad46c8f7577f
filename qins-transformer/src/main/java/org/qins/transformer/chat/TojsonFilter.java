package org.qins.transformer.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.util.List;
import java.util.Map;

/**
 * {@code tojson} as transformers defines it for chat templates: Python's {@code json.dumps} with
 * {@code ensure_ascii=False} unless given, and the {@code indent}, {@code separators} and
 * {@code sort_keys} arguments ({@link PythonJson}).
 */
final class TojsonFilter implements Filter {

    @Override
    public String getName() {
        return "tojson";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
        return filter(var, interpreter, args, Map.of());
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        Object indent = kwargs.containsKey("indent") ? kwargs.get("indent") : args.length > 0 ? args[0] : null;
        Object separators = kwargs.get("separators");
        String item = null;
        String key = null;
        if (separators instanceof List<?> pair && pair.size() == 2) {
            item = (String) pair.get(0);
            key = (String) pair.get(1);
        }
        boolean ascii = Boolean.TRUE.equals(kwargs.get("ensure_ascii"));
        String json = new PythonJson(indent == null ? null : ((Number) indent).intValue(), item, key,
                Boolean.TRUE.equals(kwargs.get("sort_keys"))).dumps(var);
        return ascii ? escapeNonAscii(json) : json;
    }

    private static String escapeNonAscii(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                b.append(c);
            } else {
                b.append(String.format("\\u%04x", (int) c));
            }
        }
        return b.toString();
    }
}
