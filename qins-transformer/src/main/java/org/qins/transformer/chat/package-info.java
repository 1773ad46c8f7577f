/** Chat: a model's own chat template (Jinja, from tokenizer_config.json) rendered with Jinjava. */
package org.qins.transformer.chat;
