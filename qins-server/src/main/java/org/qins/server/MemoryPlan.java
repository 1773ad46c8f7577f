package org.qins.server;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import org.qins.api.KvCacheProvider;
import org.qins.api.KvCacheSpec;
import org.qins.server.batch.BatchScheduler;
import org.qins.transformer.config.ModelConfig;
import org.qins.transformer.model.CausalLm;

/**
 * Memory a server needs at most, planned before it accepts a request: the weights as loaded, the
 * KV caches of {@code max-sequences} sequences of {@code max-context} positions each (the KV
 * provider's bytes per token, read from a one-position probe cache), and the batched step's
 * activation buffers. KV caches and activations live on the Java heap, so they must fit into what
 * the heap can still grow to; everything must fit into the machine's memory.
 *
 * @param weightBytes     the model's weights as loaded ({@link CausalLm#weightBytes()})
 * @param kvBytesPerToken the KV provider's bytes per position over all layers
 * @param kvName          the KV provider's name
 * @param maxSequences    sequences at once
 * @param maxContext      positions per sequence
 * @param activationBytes buffers of a step of {@code maxSequences + prefillChunk} rows, and each sequence's logits
 * @param heapMax         the JVM's heap limit
 * @param heapUsed        heap in use after loading (after a GC)
 * @param physicalBytes   the machine's memory
 */
public record MemoryPlan(long weightBytes, long kvBytesPerToken, String kvName, int maxSequences, int maxContext,
        long activationBytes, long heapMax, long heapUsed, long physicalBytes) {

    /** Plans for {@code model} with KV caches from {@code kv} under {@code limits}, reading the JVM's heap now. */
    public static MemoryPlan of(CausalLm model, KvCacheProvider kv, BatchScheduler.Limits limits) {
        ModelConfig c = model.config();
        long perToken = kv.create(new KvCacheSpec(c.layers(), c.kvHeads(), c.headDim(), 1)).bytesPerToken();
        long rows = (long) limits.maxSequences() + limits.prefillChunk();
        // Mirrors the engine's step buffers: x, xn, tmp, headIn (hidden each), qkv, attention output,
        // gate+up, activation, and a scratch row as wide as the widest part; then logits per sequence.
        long perRow = 4L * c.hiddenSize() + c.qkvDim() + c.qDim() + 3L * c.intermediateSize()
                + Math.max(c.qkvDim(), 2L * c.intermediateSize());
        long logits = 2L * limits.maxSequences() * c.vocabSize();
        long activations = (rows * perRow + logits) * Float.BYTES;
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long used = rt.totalMemory() - rt.freeMemory();
        long physical = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
        return new MemoryPlan(model.weightBytes(), perToken, kv.name(), limits.maxSequences(), limits.maxContext(), activations,
                rt.maxMemory(), used, physical);
    }

    /** KV bytes when every sequence holds {@code maxContext} positions. */
    public long kvBytes() {
        return kvBytesPerToken * maxSequences * maxContext;
    }

    /** What must still fit on the heap: KV caches and activations. */
    public long heapNeeded() {
        return kvBytes() + activationBytes;
    }

    public long heapFree() {
        return heapMax - heapUsed;
    }

    public long total() {
        return weightBytes + kvBytes() + activationBytes;
    }

    public String describe() {
        return String.format(Locale.ROOT, "memory plan: weights %s + KV cache %d sequences x %d tokens x %,d B/token (kv %s) = %s"
                + " + activations %s = %s; heap %s free of %s, machine %s", size(weightBytes), maxSequences, maxContext,
                kvBytesPerToken, kvName, size(kvBytes()), size(activationBytes), size(total()), size(heapFree()), size(heapMax),
                size(physicalBytes));
    }

    /** Throws with what does not fit and what to change, or returns. */
    public void check() {
        String remedies = "lower --max-sequences or --max-context, choose a smaller KV cache (--kv qins), or give the JVM more heap"
                + " (QINS_JAVA_OPTS=-Xmx...)";
        if (heapNeeded() > heapFree()) {
            throw new IllegalStateException(String.format(Locale.ROOT, "the memory plan does not fit: KV cache %d sequences x %d"
                    + " tokens x %,d B/token = %s + activations %s = %s, but the JVM heap has %s free (of %s); %s", maxSequences,
                    maxContext, kvBytesPerToken, size(kvBytes()), size(activationBytes), size(heapNeeded()), size(heapFree()),
                    size(heapMax), remedies));
        }
        if (total() > physicalBytes) {
            throw new IllegalStateException(String.format(Locale.ROOT, "the memory plan does not fit: weights %s + KV cache %s +"
                    + " activations %s = %s exceed the machine's %s; %s", size(weightBytes), size(kvBytes()), size(activationBytes),
                    size(total()), size(physicalBytes), remedies));
        }
    }

    static String size(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
        }
        if (bytes >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        }
        return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
}
