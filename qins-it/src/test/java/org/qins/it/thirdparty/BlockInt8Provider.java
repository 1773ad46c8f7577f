package org.qins.it.thirdparty;

import java.util.Set;
import org.qins.api.LayerContext;
import org.qins.api.LayerSpec;
import org.qins.api.LinearLayer;
import org.qins.api.LinearLayerProvider;
import org.qins.api.StoredWeight;

/**
 * A third party's linear layer over its own {@link BlockInt8Format}s, written only against
 * qins-api and registered in this module's test {@code META-INF/services}: multiplies with the
 * int8 codes and block scales directly (no float copy). One provider per format, named like it.
 */
public abstract class BlockInt8Provider implements LinearLayerProvider {

    @Override
    public int priority() {
        return -10;
    }

    @Override
    public Set<String> formats() {
        return Set.of(name());
    }

    @Override
    public String preferredFormat() {
        return name();
    }

    @Override
    public LinearLayer load(LayerSpec spec, StoredWeight stored, LayerContext context) {
        return new Layer(BlockInt8Format.Blocks.of(spec, stored));
    }

    private record Layer(BlockInt8Format.Blocks w) implements LinearLayer {

        @Override
        public LayerSpec spec() {
            return w.spec();
        }

        @Override
        public void forward(float[] input, float[] output, int batch) {
            int in = w.spec().inFeatures();
            int out = w.spec().outFeatures();
            int block = w.block();
            int blocks = (in + block - 1) / block;
            for (int b = 0; b < batch; b++) {
                for (int o = 0; o < out; o++) {
                    float acc = 0;
                    for (int i = 0; i < in; i++) {
                        acc += w.q()[o * in + i] * w.scales()[o * blocks + i / block] * input[b * in + i];
                    }
                    output[b * out + o] = acc;
                }
            }
        }

        @Override
        public long residentBytes() {
            return w.q().length + (long) w.scales().length * w.scaleBytes();
        }

        @Override
        public String describe() {
            return "int8 absmax, block " + w.block();
        }
    }

    /** Computes over {@code int8-row} weights. */
    public static final class PerRow extends BlockInt8Provider {
        @Override
        public String name() {
            return "int8-row";
        }

        @Override
        public String description() {
            return "third-party example: int8 absmax, one scale per row";
        }
    }

    /** Computes over {@code q8_0} weights. */
    public static class Q8_0 extends BlockInt8Provider {
        @Override
        public String name() {
            return "q8_0";
        }

        @Override
        public String description() {
            return "third-party example: Q8_0-style int8, fp16 scale per block of 32";
        }
    }
}
