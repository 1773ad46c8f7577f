/** Plain float linear layers and the float KV cache: the reference every codec is measured against. */
package org.qins.fp;
