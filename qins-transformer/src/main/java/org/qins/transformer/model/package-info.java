/** Llama and Phi-3 compute: embeddings, RMSNorm, RoPE/LongRoPE, attention through KvCache, SwiGLU; layers come from providers. */
package org.qins.transformer.model;
