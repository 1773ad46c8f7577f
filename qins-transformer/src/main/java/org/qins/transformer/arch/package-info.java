/**
 * Model families as data: one {@link org.qins.transformer.arch.Architecture} per family tells the
 * loader and the converter its tensor names, fused projections, norms, biases and sliding-window
 * rule; {@link org.qins.transformer.arch.ArchitectureProvider}s register them through ServiceLoader.
 */
package org.qins.transformer.arch;
