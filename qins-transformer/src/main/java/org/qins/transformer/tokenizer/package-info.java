/** Tokenizer.json through DJL, BOS per tokenizer_config.json, and streaming decoding of complete characters. */
package org.qins.transformer.tokenizer;
