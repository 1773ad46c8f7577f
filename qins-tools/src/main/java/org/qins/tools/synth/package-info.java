/**
 * Deterministic random models in Hugging Face layout (config.json + safetensors), shaped like
 * trained ones, for the demo, benchmarks and tests that need more than the tiny fixtures.
 */
package org.qins.tools.synth;
