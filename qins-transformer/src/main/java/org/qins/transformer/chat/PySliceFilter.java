package org.qins.transformer.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code x|py_slice(start, stop, step)}: Python's {@code x[start:stop:step]} on a list or a string
 * ({@code none} for an omitted bound), which {@link TemplateSource} writes for slices with a step.
 */
final class PySliceFilter implements Filter {

    @Override
    public String getName() {
        return "py_slice";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
        return filter(var, interpreter, (Object[]) args, Map.of());
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        List<Object> items = new ArrayList<>();
        if (var instanceof String s) {
            s.codePoints().forEach(cp -> items.add(new String(Character.toChars(cp))));
        } else if (var instanceof Iterable<?> it) {
            it.forEach(items::add);
        } else {
            throw new IllegalArgumentException("cannot slice " + (var == null ? "none" : var.getClass().getSimpleName()));
        }
        int step = args.length > 2 && args[2] != null ? ((Number) args[2]).intValue() : 1;
        if (step == 0) {
            throw new IllegalArgumentException("slice step cannot be zero");
        }
        int n = items.size();
        int start = bound(args.length > 0 ? args[0] : null, n, step, true);
        int stop = bound(args.length > 1 ? args[1] : null, n, step, false);
        List<Object> out = new ArrayList<>();
        for (int i = start; step > 0 ? i < stop : i > stop; i += step) {
            out.add(items.get(i));
        }
        if (var instanceof String) {
            StringBuilder b = new StringBuilder();
            out.forEach(b::append);
            return b.toString();
        }
        return out;
    }

    /** Python's slice bound: negative counts from the end, clamped; a missing one is the start or end in the step's direction. */
    private static int bound(Object value, int n, int step, boolean isStart) {
        if (value == null) {
            return step > 0 ? (isStart ? 0 : n) : (isStart ? n - 1 : -1);
        }
        int v = ((Number) value).intValue();
        if (v < 0) {
            v += n;
        }
        if (step > 0) {
            return Math.max(0, Math.min(v, n));
        }
        return Math.max(-1, Math.min(v, n - 1));
    }
}
