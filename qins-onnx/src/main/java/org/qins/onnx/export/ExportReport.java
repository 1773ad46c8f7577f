package org.qins.onnx.export;

/**
 * What an export wrote.
 *
 * @param fileBytes        bytes of the .onnx file
 * @param checkpointBytes  bytes of the source's tensor data (the QINS checkpoint's parts and float tensors)
 * @param initializerBytes bytes of the graph's initializers (the checkpoint's tensors, decode tables, constants)
 * @param nodes            graph nodes
 * @param initializers     graph initializers
 */
public record ExportReport(long fileBytes, long checkpointBytes, long initializerBytes, int nodes, int initializers) {
}
