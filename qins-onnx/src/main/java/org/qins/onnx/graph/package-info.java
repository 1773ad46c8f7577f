/** An ONNX graph builder over the hand-written protobuf messages: inputs, outputs, initializers, nodes, attributes. */
package org.qins.onnx.graph;
