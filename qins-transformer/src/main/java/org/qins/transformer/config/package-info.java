/** Model configuration from config.json (both transformers styles) and generation_config.json. */
package org.qins.transformer.config;
