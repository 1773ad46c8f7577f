/**
 * Converting a float Hugging Face checkpoint into a provider-encoded one (QINS by default),
 * tensor by tensor, through the SPI's {@code encode}: this package never sees a QINS type.
 */
package org.qins.transformer.convert;
