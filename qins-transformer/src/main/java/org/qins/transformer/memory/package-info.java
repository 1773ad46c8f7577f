/**
 * Memory planned before it is taken: what loading a model or running a request will allocate
 * ({@link org.qins.transformer.memory.MemoryNeed}), what the JVM and the machine have left
 * ({@link org.qins.transformer.memory.MemoryBudget}), and a refusal with both numbers when the first
 * exceeds the second, instead of an OutOfMemoryError part-way.
 */
package org.qins.transformer.memory;
