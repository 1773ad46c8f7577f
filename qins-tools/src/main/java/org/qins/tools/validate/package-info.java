/**
 * Validation and comparison: the llm-ref/1 schema (reading references, writing candidates,
 * following a reference), compare.py's metrics, the compare report with its verdict, and
 * perplexity.
 */
package org.qins.tools.validate;
