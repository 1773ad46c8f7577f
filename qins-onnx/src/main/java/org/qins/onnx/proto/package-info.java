/** The protocol buffers wire format, written by hand for the ONNX messages the exporter needs. */
package org.qins.onnx.proto;
