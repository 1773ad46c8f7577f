/**
 * Converting a float Hugging Face checkpoint into an encoded one (QINS by default), tensor by
 * tensor, through a named {@link org.qins.api.WeightFormat}: this package never sees a QINS type.
 */
package org.qins.transformer.convert;
