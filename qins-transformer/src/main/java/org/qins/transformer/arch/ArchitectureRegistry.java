package org.qins.transformer.arch;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Optional;

/** The model families available to this process, by Hugging Face class name. */
public final class ArchitectureRegistry {

    private static volatile ArchitectureRegistry standard;

    private final Map<String, Architecture> byClassName = new LinkedHashMap<>();

    public ArchitectureRegistry(Collection<Architecture> architectures) {
        for (Architecture a : architectures) {
            Architecture previous = byClassName.putIfAbsent(a.className(), a);
            if (previous != null && !previous.equals(a)) {
                throw new IllegalStateException("two different architectures are registered as '" + a.className() + "'");
            }
        }
    }

    /** Every family listed by the {@link ArchitectureProvider}s in {@code META-INF/services} visible to {@code loader}. */
    public static ArchitectureRegistry discover(ClassLoader loader) {
        List<Architecture> all = new ArrayList<>();
        for (ArchitectureProvider p : ServiceLoader.load(ArchitectureProvider.class, loader)) {
            all.addAll(p.architectures());
        }
        return new ArchitectureRegistry(all);
    }

    /** The families visible to this class's loader (discovered once). */
    public static ArchitectureRegistry standard() {
        ArchitectureRegistry r = standard;
        if (r == null) {
            r = discover(ArchitectureRegistry.class.getClassLoader());
            standard = r;
        }
        return r;
    }

    /** The family registered as {@code className}. */
    public Optional<Architecture> find(String className) {
        return Optional.ofNullable(byClassName.get(className));
    }

    /** The registered class names, in registration order. */
    public List<String> classNames() {
        return List.copyOf(byClassName.keySet());
    }

    public List<Architecture> all() {
        return List.copyOf(byClassName.values());
    }
}
