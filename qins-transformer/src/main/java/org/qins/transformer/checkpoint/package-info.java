/**
 * Checkpoint files: a validating safetensors reader over memory-mapped files (FFM, files beyond
 * 2 GiB), sharded checkpoints ({@code model.safetensors.index.json}), a streaming writer, and the
 * naming convention of converted checkpoints ({@link org.qins.transformer.checkpoint.StoredFormats}).
 */
package org.qins.transformer.checkpoint;
