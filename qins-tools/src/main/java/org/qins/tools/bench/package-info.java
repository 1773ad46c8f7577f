/** End-to-end throughput and memory of a model configuration (linear provider x KV cache x threads). */
package org.qins.tools.bench;
