/**
 * Float kernels shared by the providers and the engine (dot products, axpy), written once on
 * the JDK Vector API with the running JVM's preferred species and a scalar tail.
 */
package org.qins.api.kernel;
