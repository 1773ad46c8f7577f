package org.qins.transformer.convert;

/**
 * What a conversion wrote.
 *
 * @param encodedTensors  linear weights encoded by the provider
 * @param copiedTensors   tensors kept in their float type (embeddings, norms)
 * @param encodedParams   parameters in encoded weights
 * @param encodedBytes    bytes of their stored parts
 * @param sourceBytes     bytes of the source tensors
 * @param outputBytes     bytes of tensor data written
 */
public record ConversionReport(int encodedTensors, int copiedTensors, long encodedParams, long encodedBytes, long sourceBytes,
        long outputBytes) {

    /** Stored bytes per encoded parameter. */
    public double bytesPerEncodedParam() {
        return encodedParams == 0 ? 0 : (double) encodedBytes / encodedParams;
    }
}
