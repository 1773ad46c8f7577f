/**
 * GGUF files (llama.cpp's single-file format) read directly: a strict, memory-mapped reader
 * ({@link org.qins.transformer.gguf.GgufFile}), the metadata of the families the engine runs mapped
 * to a Hugging Face config ({@link org.qins.transformer.gguf.GgufConfig}), the tensors renamed to the
 * family's description ({@link org.qins.transformer.gguf.GgufTensors}), the vocabulary turned into an
 * equivalent {@code tokenizer.json} ({@link org.qins.transformer.gguf.GgufVocab}), and Q8_0 as a weight
 * format ({@link org.qins.transformer.gguf.Q8_0Format}).
 */
package org.qins.transformer.gguf;
