package org.qins.transformer.arch;

import java.util.List;

/**
 * Contributes model families. Listed in {@code META-INF/services/org.qins.transformer.arch.ArchitectureProvider}
 * of a jar on the classpath, like the providers of {@code qins-api}: a third party adds a family
 * without changing the engine.
 */
public interface ArchitectureProvider {

    List<Architecture> architectures();
}
