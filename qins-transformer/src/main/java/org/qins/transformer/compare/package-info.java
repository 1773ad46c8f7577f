/**
 * Comparing two runs of a model: a reference (a provider's run, or an llm-ref/1 file) and a
 * candidate, scored with {@link org.qins.transformer.validate.Comparison} (compare.py's metrics),
 * plus perplexity on a text, and a verdict.
 */
package org.qins.transformer.compare;
