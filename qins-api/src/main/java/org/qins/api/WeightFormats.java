package org.qins.api;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeSet;

/**
 * The weight formats available to a class loader, by name: what {@link WeightFormat#forName}
 * looks in. Built from {@link ServiceLoader} (or from any collection, e.g. a Guice binding).
 */
public final class WeightFormats {

    private static volatile WeightFormats classpath;

    private final Map<String, WeightFormat> byName;

    public WeightFormats(Collection<? extends WeightFormat> formats) {
        Map<String, WeightFormat> m = new LinkedHashMap<>();
        for (WeightFormat f : formats) {
            WeightFormat previous = m.putIfAbsent(f.name(), f);
            if (previous != null && previous.getClass() != f.getClass()) {
                throw new IllegalStateException("two weight formats are named '" + f.name() + "': "
                        + previous.getClass().getName() + " and " + f.getClass().getName());
            }
        }
        this.byName = Collections.unmodifiableMap(m);
    }

    /** Every format registered in {@code META-INF/services} visible to {@code loader}. */
    public static WeightFormats discover(ClassLoader loader) {
        List<WeightFormat> found = new ArrayList<>();
        ServiceLoader.load(WeightFormat.class, loader).forEach(found::add);
        return new WeightFormats(found);
    }

    /** The formats visible to the loader of this class (discovered once). */
    public static WeightFormats onClasspath() {
        WeightFormats f = classpath;
        if (f == null) {
            f = discover(WeightFormats.class.getClassLoader());
            classpath = f;
        }
        return f;
    }

    public boolean has(String name) {
        return byName.containsKey(name);
    }

    /** The format named {@code name}, or an error that lists the names available. */
    public WeightFormat forName(String name) {
        WeightFormat f = byName.get(name);
        if (f == null) {
            throw new IllegalArgumentException("no weight format named '" + name + "': " + (byName.isEmpty()
                    ? "the classpath has none (add qins-fp or qins-codec, or a jar with a META-INF/services/"
                            + WeightFormat.class.getName() + " entry)"
                    : "the classpath supports " + new TreeSet<>(byName.keySet())));
        }
        return f;
    }

    /** All formats, in discovery order. */
    public Collection<WeightFormat> all() {
        return byName.values();
    }
}
