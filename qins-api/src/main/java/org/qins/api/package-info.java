/**
 * The QINS service-provider interface: the contract between the compute code and the weight
 * and cache formats. Three things plug in, each found by name:
 *
 * <ul>
 *   <li>{@link org.qins.api.WeightFormat}: how a stored weight is encoded and decoded to float
 *       (float types, QINS layouts, a third party's); its name is recorded with each stored
 *       weight and resolved with {@link org.qins.api.WeightFormat#forName};</li>
 *   <li>{@link org.qins.api.LinearLayerProvider}: how a layer computes over stored weights of
 *       the formats it declares; compute code sees only {@link org.qins.api.LinearLayer};</li>
 *   <li>{@link org.qins.api.KvCacheProvider}: how past keys and values are kept; attention sees
 *       only {@link org.qins.api.KvCache}.</li>
 * </ul>
 *
 * Implementations are found through {@code META-INF/services} (or bound in a Guice module) and
 * declare their options ({@link org.qins.api.OptionSpec}); unknown options are errors.
 *
 * <p>This package depends on the JDK only.
 */
package org.qins.api;
