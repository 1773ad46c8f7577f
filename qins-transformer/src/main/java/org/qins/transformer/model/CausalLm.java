package org.qins.transformer.model;

import java.lang.foreign.Arena;
import java.util.List;
import org.qins.api.KvCache;
import org.qins.api.KvCacheProvider;
import org.qins.api.KvCacheSpec;
import org.qins.api.LinearLayer;
import org.qins.api.Parallel;
import org.qins.api.TensorView;
import org.qins.transformer.checkpoint.Checkpoint;
import org.qins.transformer.checkpoint.FiniteCheck;
import org.qins.transformer.config.ModelConfig;
import org.qins.transformer.memory.MemoryBudget;

/**
 * A loaded decoder-only model of any registered family: float embeddings, norms and biases, linear
 * layers from a provider.
 * Stateless between calls apart from the {@link Sequence} each caller holds.
 */
public final class CausalLm implements AutoCloseable {

    private final ModelConfig config;
    private final TensorView embeddings;
    private final List<DecoderLayer> layers;
    private final RmsNorm finalNorm;
    private final LinearLayer lmHead;
    private final Rope rope;
    private final Parallel parallel;
    private final Checkpoint resources;
    private final Arena memory;
    private final long mappedWeightBytes;
    private final MemoryBudget budget;

    CausalLm(ModelConfig config, TensorView embeddings, List<DecoderLayer> layers, RmsNorm finalNorm, LinearLayer lmHead,
            Parallel parallel, Checkpoint resources, Arena memory, long mappedWeightBytes, MemoryBudget budget) {
        this.config = config;
        this.embeddings = embeddings;
        this.layers = List.copyOf(layers);
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
        this.rope = new Rope(config.rope());
        this.parallel = parallel;
        this.resources = resources;
        this.memory = memory;
        this.mappedWeightBytes = mappedWeightBytes;
        this.budget = budget;
    }

    /** The budget requests on this model are checked against (the loader's). */
    public MemoryBudget memoryBudget() {
        return budget;
    }

    /** Bytes of mapped weights the layers read in place at every token (they must stay resident to run at speed). */
    public long mappedWeightBytes() {
        return mappedWeightBytes;
    }

    public ModelConfig config() {
        return config;
    }

    public Parallel parallel() {
        return parallel;
    }

    /** Bytes held by the linear layers (weights as the providers keep them). */
    public long linearBytes() {
        return layers.stream().mapToLong(DecoderLayer::residentBytes).sum() + lmHead.residentBytes();
    }

    /** Parameters of the linear layers (block projections and the LM head; a tied head counts its embedding once more). */
    public long linearParameters() {
        long h = config.hiddenSize();
        long perLayer = h * config.qDim() + 2L * h * config.kvDim() + (long) config.qDim() * h + 3L * h * config.intermediateSize();
        return config.layers() * perLayer + (long) config.vocabSize() * h;
    }

    /** Parameters of the whole model: linear layers, embeddings (unless tied to the head), norms and biases. */
    public long parameters() {
        long h = config.hiddenSize();
        long embed = config.tieWordEmbeddings() ? 0 : (long) config.vocabSize() * h;
        return linearParameters() + embed + normParameters() + layers.stream().mapToLong(DecoderLayer::biasParameters).sum();
    }

    /** Norm weights: two per block, q/k norms where the family has them, the final norm. */
    private long normParameters() {
        return layers.stream().mapToLong(DecoderLayer::normParameters).sum() + config.hiddenSize();
    }

    /**
     * Bytes of the weights kept in float outside the linear layers: the embedding table as stored
     * (mapped; counted once even when the head is tied to it, where the head's bytes count it already)
     * and the norms (float32 arrays). Biases are counted with their linear layers.
     */
    public long floatWeightBytes() {
        long norms = normParameters() * Float.BYTES;
        return (config.tieWordEmbeddings() ? 0 : embeddings.data().byteSize()) + norms;
    }

    /** All weight bytes: {@link #linearBytes()} + {@link #floatWeightBytes()}. */
    public long weightBytes() {
        return linearBytes() + floatWeightBytes();
    }

    /** Which providers run: a block layer's describe() and the LM head's. */
    public String describeLinear() {
        return layers.get(0).describeLinear() + "; head " + lmHead.describe();
    }

    /** The LM head's describe() (float unless the checkpoint stores it encoded). */
    public String describeHead() {
        return lmHead.describe();
    }

    /**
     * A new empty sequence with a KV cache from {@code provider} for up to {@code capacity} positions; a
     * sliding-window model's cache is told the window, so it holds no more than that.
     */
    public Sequence newSequence(KvCacheProvider provider, int capacity) {
        if (capacity < 1 || capacity > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("a sequence of " + capacity + " positions does not fit the model's context of "
                    + config.maxPositionEmbeddings() + " (max_position_embeddings)");
        }
        int window = config.slidingWindow() == 0 ? capacity : config.slidingWindow();
        KvCache cache = provider.create(new KvCacheSpec(config.layers(), config.kvHeads(), config.headDim(), capacity, window));
        return new Sequence(this, cache);
    }

    /** Tokens a prefill feeds per forward call (default {@value #DEFAULT_PREFILL_CHUNK}). */
    public static final int DEFAULT_PREFILL_CHUNK = 512;

    private volatile int prefillChunk = DEFAULT_PREFILL_CHUNK;

    /** Tokens a prefill feeds per forward call: activation memory is this many rows, whatever the prompt's length. */
    public int prefillChunk() {
        return prefillChunk;
    }

    /** Sets {@link #prefillChunk()} (at least 1); returns this model. */
    public CausalLm prefillChunk(int tokens) {
        if (tokens < 1) {
            throw new IllegalArgumentException("prefill chunk must be >= 1 token, got " + tokens);
        }
        this.prefillChunk = tokens;
        return this;
    }

    /** Widest output of a layer's parts: the scratch row a provider's product may use. */
    int largestPart() {
        int largest = Math.max(Math.max(config.qDim(), config.hiddenSize()), config.intermediateSize());
        for (DecoderLayer l : layers) {
            largest = Math.max(largest, l.largestPart());
        }
        return largest;
    }

    Workspace newWorkspace() {
        return new Workspace(config, largestPart());
    }

    /**
     * Runs the batch's tokens (all earlier positions of each sequence already cached), stores their
     * keys and values, advances each sequence and writes each part's logits.
     */
    void forward(ForwardBatch batch, Workspace ws) {
        int hidden = config.hiddenSize();
        int vocab = config.vocabSize();
        for (ForwardBatch.Part part : batch.parts()) {
            for (int b = 0; b < part.count(); b++) {
                int id = part.tokens()[part.offset() + b];
                if (id < 0 || id >= vocab) {
                    throw new IllegalArgumentException("token id " + id + " outside the vocabulary [0, " + vocab + ")");
                }
            }
        }
        ws.ensure(batch.rows());
        for (ForwardBatch.Part part : batch.parts()) {
            for (int b = 0; b < part.count(); b++) {
                embeddings.copyFloats((long) part.tokens()[part.offset() + b] * hidden, ws.x, (part.firstRow() + b) * hidden, hidden);
            }
        }
        for (int i = 0; i < layers.size(); i++) {
            layers.get(i).forward(ws, batch, rope, parallel);
            requireFinite(ws.x, batch.rows() * hidden, hidden, batch, i);
        }
        for (ForwardBatch.Part part : batch.parts()) {
            part.sequence().advance(part.count());
        }
        logits(batch, ws);
    }

    /** {@link #requireFinite}'s layer index for the LM head. */
    private static final int HEAD = -1;

    /**
     * One pass over an output ({@code n} floats, rows of {@code row} in the batch's row order); the
     * first NaN or infinity stops generation naming the layer ({@link #HEAD} for the logits) and the
     * position. Allocates nothing unless it fails: it runs for every layer of every decode step.
     */
    private static void requireFinite(float[] out, int n, int row, ForwardBatch batch, int layer) {
        int bad = FiniteCheck.firstNonFinite(out, 0, n);
        if (bad >= 0) {
            String where = layer == HEAD ? "the LM head (logits)" : "layer " + layer + " (model.layers." + layer + ")";
            throw new NonFiniteException("the output of " + where + " is " + out[bad] + " at position " + batch.positionOf(bad / row)
                    + " (element " + bad % row + "): the weights overflow float32 on this input");
        }
    }

    /** The final norm and the LM head over the rows whose logits are wanted, in one head call. */
    private void logits(ForwardBatch batch, Workspace ws) {
        int hidden = config.hiddenSize();
        int vocab = config.vocabSize();
        int n = 0;
        for (ForwardBatch.Part part : batch.parts()) {
            for (int b = part.firstLogitToken(); b < part.count() && part.want() != ForwardBatch.Logits.NONE; b++, n++) {
                finalNorm.applyRow(ws.x, (part.firstRow() + b) * hidden, ws.headIn, n * hidden);
            }
        }
        if (n == 0) {
            return;
        }
        if (batch.parts().size() == 1 && batch.parts().get(0).logitsOffset() == 0) {
            float[] logits = batch.parts().get(0).logits();
            lmHead.forward(ws.headIn, logits, n);
            requireFinite(logits, n * vocab, vocab, batch.logitBatch(), HEAD);
            return;
        }
        float[] out = ws.headOut(n);
        lmHead.forward(ws.headIn, out, n);
        requireFinite(out, n * vocab, vocab, batch.logitBatch(), HEAD);
        int row = 0;
        for (ForwardBatch.Part part : batch.parts()) {
            int rows = part.logitRows();
            System.arraycopy(out, row * vocab, part.logits(), part.logitsOffset(), rows * vocab);
            row += rows;
        }
    }

    @Override
    public void close() {
        resources.close();
        memory.close();
    }
}
