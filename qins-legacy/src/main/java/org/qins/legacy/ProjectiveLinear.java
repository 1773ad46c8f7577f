package org.qins.legacy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicBoolean;
import org.qins.api.LayerSpec;
import org.qins.api.LinearLayer;
import org.qins.api.Parallel;

/**
 * The original "compute in the QINS domain" layer, kept to show, measured, why Pattern A is
 * needed. It never decodes back to floats: the weight it multiplies by is the projective value of
 * the stored code, {@code p = sign * stored / maxCode} in (0, 1] (large |w| -> small code -> small
 * p: the inverse map), rescaled by one per-tensor constant (the largest |w|) so that outputs have
 * the float layer's order of magnitude:
 * <pre>  y_o = maxAbs * sum_i sign_oi * (stored_oi / maxCode) * x_i</pre>
 * Its outputs differ grossly from the float product (see {@code ProjectiveLinearTest}).
 */
@Deprecated(since = "0.1.0")
public final class ProjectiveLinear implements LinearLayer {

    private static final System.Logger LOG = System.getLogger(ProjectiveLinear.class.getName());
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private final LayerSpec spec;
    private final MemorySegment codes;
    private final boolean signInCode;
    private final MemorySegment signPlane;
    private final float scale;
    private final Parallel parallel;

    /**
     * @param codes     U8 codes [out, in]; 255-level codes with {@code signPlane}, or qins8 bytes (sign bit + 7-bit code)
     * @param signPlane 1 bit per weight (1 = negative), rows padded to bytes; null for qins8
     * @param maxAbs    the per-tensor rescaling constant
     */
    ProjectiveLinear(LayerSpec spec, MemorySegment codes, MemorySegment signPlane, float maxAbs, Parallel parallel) {
        this.spec = spec;
        this.codes = codes;
        this.signInCode = signPlane == null;
        this.signPlane = signPlane;
        this.scale = maxAbs / (signInCode ? 127f : 255f);
        this.parallel = parallel;
        warnOnce();
    }

    static void warnOnce() {
        if (WARNED.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "qins-legacy (ProjectiveLinear) is deprecated: it computes in the QINS "
                    + "domain and does not reproduce the float model; use Pattern A (QINS_CODEC_AT_REST=1, provider 'qins')");
        }
    }

    @Override
    public LayerSpec spec() {
        return spec;
    }

    @Override
    public void forward(float[] input, float[] output, int batch) {
        int in = spec.inFeatures();
        int out = spec.outFeatures();
        int stride = (in + 7) >>> 3;
        parallel.forRange(out, 16, (from, to) -> {
            for (int o = from; o < to; o++) {
                long base = (long) o * in;
                for (int b = 0; b < batch; b++) {
                    float s = 0;
                    for (int i = 0; i < in; i++) {
                        int raw = codes.get(ValueLayout.JAVA_BYTE, base + i);
                        int code = signInCode ? raw & 0x7F : raw & 0xFF;
                        boolean neg = signInCode ? raw < 0
                                : (signPlane.get(ValueLayout.JAVA_BYTE, (long) o * stride + (i >>> 3)) >>> (i & 7) & 1) != 0;
                        s += (neg ? -code : code) * input[b * in + i];
                    }
                    output[b * out + o] = scale * s;
                }
            }
        });
    }

    @Override
    public long residentBytes() {
        return codes.byteSize() + (signPlane == null ? 0 : signPlane.byteSize());
    }

    @Override
    public String describe() {
        return "qins-legacy (DEPRECATED, computes in the QINS domain) " + spec.outFeatures() + "x" + spec.inFeatures();
    }
}
