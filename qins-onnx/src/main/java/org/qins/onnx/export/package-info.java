/**
 * ONNX export of converted checkpoints: the decoder graph with a KV cache as inputs and outputs, the QINS
 * weights kept as stored and decoded by standard operators.
 */
package org.qins.onnx.export;
