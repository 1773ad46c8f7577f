package org.qins.codec;

import java.lang.foreign.MemorySegment;
import org.qins.api.LayerSpec;
import org.qins.api.LinearLayer;
import org.qins.api.Parallel;
import org.qins.api.kernel.ThreadScratch;
import org.qins.api.kernel.VectorMath;

/**
 * Pattern A: only codes and ranges stay resident; {@link #forward} decodes inside the matmul, one
 * row tile at a time. Batch 1 uses the fused decode+FMA kernel; a batch of several vectors decodes
 * each row once into a per-thread tile and reuses it for every vector. A whole-matrix decoded copy
 * exists only with the provider option {@value QinsLinearProvider#DECODED_CACHE} (off by default;
 * its bytes are counted).
 */
public final class QinsLinear implements LinearLayer {

    /** Per-thread row tile, shared by all layers on that thread. */
    private static final ThreadScratch TILE = new ThreadScratch();
    private static final int ROW_GRAIN = 16;
    private static final int TILE_ROWS = 4;

    private final LayerSpec spec;
    private final QinsTensor tensor;
    private final QinsKernel kernel;
    private final Parallel parallel;
    private final MemorySegment decoded;

    /** A layer with the default kernel ({@code auto}) and no decoded cache. */
    public QinsLinear(LayerSpec spec, QinsTensor tensor, Parallel parallel) {
        this(spec, tensor, parallel, QinsKernels.AUTO.create(tensor), null);
    }

    /** {@code decodedCache}: where to keep a decoded float32 copy, or null for none. */
    QinsLinear(LayerSpec spec, QinsTensor tensor, Parallel parallel, QinsKernel kernel, java.lang.foreign.SegmentAllocator decodedCache) {
        if (tensor.rows != spec.outFeatures() || tensor.cols != spec.inFeatures()) {
            throw new IllegalArgumentException("layer '" + spec.name() + "': encoded tensor is " + tensor.rows + "x"
                    + tensor.cols + ", spec wants " + spec.outFeatures() + "x" + spec.inFeatures());
        }
        this.spec = spec;
        this.tensor = tensor;
        this.kernel = kernel;
        this.parallel = parallel;
        this.decoded = decodedCache != null ? QinsCodec.decodeToView(tensor, decodedCache).data() : null;
    }

    @Override
    public LayerSpec spec() {
        return spec;
    }

    @Override
    public void forward(float[] input, float[] output, int batch) {
        int in = spec.inFeatures();
        int out = spec.outFeatures();
        if (decoded != null) {
            VectorMath.matmul(decoded, out, in, input, output, batch, parallel);
            return;
        }
        if (batch == 1) {
            float[] x = kernel.prepareInput(input, 1);
            parallel.forRange(out, ROW_GRAIN, (from, to) -> kernel.dotRows(from, to, x, output, TILE.floats(in)));
            return;
        }
        if (batch <= kernel.fusedBatchLimit()) {
            // Batched decode steps (a few sequences, one token each): each weight decoded once for
            // several rows, no tile written and read back.
            float[] x = kernel.prepareInput(input, batch);
            parallel.forRange(out, ROW_GRAIN, (from, to) -> kernel.dotRowsBatch(from, to, x, in, batch, output, out, TILE.floats(in)));
            return;
        }
        int tileRows = kernel.prefillTileRows();
        if (batch >= VectorMath.PACKED_MIN_BATCH && tileRows > 0) {
            // Prefill through the kernel's own product (the native one): batch packed once, rows decoded a tile
            // at a time and multiplied into every panel; tiles split over the threads.
            float[] packed = kernel.packBatch(input, batch);
            parallel.forRange((out + tileRows - 1) / tileRows, 2, (from, to) -> kernel.prefillRows(from * tileRows,
                    Math.min(out, to * tileRows), packed, batch, output, out, TILE.floats(tileRows * in)));
            return;
        }
        if (batch >= VectorMath.PACKED_MIN_BATCH) {
            // Prefill: the packed product over rows decoded six at a time into the thread's tile.
            VectorMath.matmulPacked((r0, count, tile) -> {
                for (int r = 0; r < count; r++) {
                    kernel.decodeRow(r0 + r, tile, r * in);
                }
            }, out, in, input, output, batch, parallel);
            return;
        }
        // Small batches: decode TILE_ROWS rows once into a per-thread tile, then a register-blocked
        // rows x batch product over it (each decoded row is read once per 4 batch vectors).
        parallel.forRange(out, ROW_GRAIN, (from, to) -> {
            float[] tile = TILE.floats(TILE_ROWS * in);
            for (int o = from; o < to; o += TILE_ROWS) {
                int rows = Math.min(TILE_ROWS, to - o);
                for (int r = 0; r < rows; r++) {
                    kernel.decodeRow(o + r, tile, r * in);
                }
                VectorMath.gemm(tile, rows, input, batch, in, output, o, out);
            }
        });
    }


    @Override
    public long residentBytes() {
        return tensor.byteSize() + kernel.indexBytes() + (decoded == null ? 0 : decoded.byteSize());
    }

    @Override
    public String describe() {
        return "qins " + tensor.format + " " + spec.outFeatures() + "x" + spec.inFeatures() + " kernel=" + kernel.name()
                + (decoded != null ? " +decoded-cache" : "");
    }

    QinsTensor tensor() {
        return tensor;
    }

    String kernelName() {
        return kernel.name();
    }
}
