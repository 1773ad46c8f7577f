/**
 * Where a model comes from: a Hugging Face directory ({@code config.json}, safetensors, tokenizer files) or
 * a single GGUF file. {@link org.qins.transformer.source.ModelSource} gives the loader, the converter and the
 * commands the same config, checkpoint, tokenizer and chat template from either.
 */
package org.qins.transformer.source;
