/** The llm-ref/1 schema: reading references, writing candidates, following a reference, and the compare.py metrics. */
package org.qins.transformer.validate;
