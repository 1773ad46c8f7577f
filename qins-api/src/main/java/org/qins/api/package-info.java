/**
 * The QINS service-provider interface: the contract between the compute code and the weight
 * and cache formats.
 *
 * <p>Compute code sees only {@link org.qins.api.LinearLayer} and {@link org.qins.api.KvCache}.
 * Their implementations come from a {@link org.qins.api.LinearLayerProvider} or a
 * {@link org.qins.api.KvCacheProvider} found on the classpath through
 * {@code META-INF/services} (or bound in a Guice module). A provider owns its stored format:
 * it encodes a float weight into named stored tensors ({@link org.qins.api.StoredWeight}) for
 * the converter, and builds a layer back from them for the loader.
 *
 * <p>This package depends on the JDK only.
 */
package org.qins.api;
