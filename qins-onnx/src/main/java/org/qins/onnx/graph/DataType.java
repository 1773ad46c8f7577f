package org.qins.onnx.graph;

/** ONNX tensor element types ({@code TensorProto.DataType}) the exporter writes. */
public enum DataType {
    FLOAT(1, 4), UINT8(2, 1), INT8(3, 1), INT32(6, 4), INT64(7, 8), BOOL(9, 1), FLOAT16(10, 2), BFLOAT16(16, 2);

    final int id;
    final int bytes;

    DataType(int id, int bytes) {
        this.id = id;
        this.bytes = bytes;
    }

    public int id() {
        return id;
    }
}
