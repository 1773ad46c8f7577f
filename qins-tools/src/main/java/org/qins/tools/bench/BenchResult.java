package org.qins.tools.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One benchmarked configuration.
 *
 * @param linear              the linear provider asked for (or "default")
 * @param linearDescription   what actually runs (block layers; head)
 * @param weightBytes         linear layers + float tensors (embeddings, norms)
 * @param linearBytes         linear layers only
 * @param parameters          parameters of the model
 * @param linearParameters    parameters of the linear layers
 * @param kvBytesPerToken     KvCache.bytesPerToken()
 * @param kvResidentBytes     KvCache.residentBytes() after the run
 * @param heapUsedBytes       JVM heap used after GC, model and cache alive
 * @param rssBytes            process VmRSS (mapped pages that were touched count)
 */
public record BenchResult(String linear, String linearDescription, String kv, int threads, int promptTokens, int newTokens,
        double loadSeconds, double prefillTokensPerSecond, double decodeTokensPerSecond, double timeToFirstTokenSeconds,
        long weightBytes, long linearBytes, long parameters, long linearParameters, long kvBytesPerToken, long kvResidentBytes,
        long heapUsedBytes, long rssBytes) {

    public double weightBytesPerParam() {
        return (double) weightBytes / parameters;
    }

    public double linearBytesPerParam() {
        return (double) linearBytes / linearParameters;
    }

    public Map<String, Object> toJson() {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("linear", linear);
        j.put("linear_description", linearDescription);
        j.put("kv", kv);
        j.put("threads", threads);
        j.put("prompt_tokens", promptTokens);
        j.put("new_tokens", newTokens);
        j.put("load_s", loadSeconds);
        j.put("prefill_tokens_per_s", prefillTokensPerSecond);
        j.put("decode_tokens_per_s", decodeTokensPerSecond);
        j.put("time_to_first_token_s", timeToFirstTokenSeconds);
        j.put("weight_bytes", weightBytes);
        j.put("parameters", parameters);
        j.put("weight_bytes_per_param", weightBytesPerParam());
        j.put("linear_bytes", linearBytes);
        j.put("linear_parameters", linearParameters);
        j.put("linear_bytes_per_param", linearBytesPerParam());
        j.put("kv_bytes_per_token", kvBytesPerToken);
        j.put("kv_resident_bytes", kvResidentBytes);
        j.put("heap_used_bytes", heapUsedBytes);
        j.put("rss_bytes", rssBytes);
        return j;
    }
}
