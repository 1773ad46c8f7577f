package org.qins.it;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A class loader over this test JVM's classpath minus some entries: what an application sees
 * when a provider module's jar is simply not on its classpath. Its parent is the platform
 * loader, so nothing leaks in from the test's own classpath.
 */
final class IsolatedClasspath {

    private IsolatedClasspath() {
    }

    /** The classpath entry (jar or classes folder) a class was loaded from. */
    static Path entryOf(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath().normalize();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A loader over the classpath without the entries that hold the given classes. */
    static URLClassLoader without(Class<?>... absent) {
        Set<Path> excluded = java.util.Arrays.stream(absent).map(IsolatedClasspath::entryOf).collect(Collectors.toSet());
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry).toAbsolutePath().normalize();
            if (!excluded.contains(p)) {
                try {
                    urls.add(p.toUri().toURL());
                } catch (MalformedURLException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return new URLClassLoader("isolated", urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    }
}
