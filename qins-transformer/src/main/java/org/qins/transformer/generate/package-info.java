/** Prefill + cached decode, greedy and seeded top-p sampling, EOS stop. */
package org.qins.transformer.generate;
