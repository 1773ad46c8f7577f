package org.qins.transformer.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SamplerTest {

    private static final float[] LOGITS = {1.0f, 3.0f, 2.5f, 3.0f, 0.5f, 2.9f};

    private static int[] draw(long seed, float t, float p, int n) {
        Sampler s = new Sampler(t, p, seed);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = s.sample(LOGITS, LOGITS.length);
        }
        return out;
    }

    @Test
    void greedyTakesTheLowestIdAmongTies() {
        assertThat(Sampler.greedy().sample(LOGITS, LOGITS.length)).isEqualTo(1);
    }

    @Test
    void aSeedReproducesTheDraws() {
        assertThat(draw(42, 1.0f, 1.0f, 200)).isEqualTo(draw(42, 1.0f, 1.0f, 200));
        assertThat(draw(42, 1.0f, 1.0f, 200)).isNotEqualTo(draw(43, 1.0f, 1.0f, 200));
    }

    @Test
    void drawsFollowTheSoftmax() {
        int[] counts = new int[LOGITS.length];
        for (int id : draw(7, 1.0f, 1.0f, 20000)) {
            counts[id]++;
        }
        double z = 0;
        for (float l : LOGITS) {
            z += Math.exp(l);
        }
        for (int i = 0; i < LOGITS.length; i++) {
            assertThat(counts[i] / 20000.0).isCloseTo(Math.exp(LOGITS[i]) / z, org.assertj.core.api.Assertions.within(0.015));
        }
    }

    @Test
    void topPKeepsOnlyTheNucleus() {
        // The two ties at 3.0 hold ~0.57 of the mass: top-p 0.5 keeps just them (lowest ids first).
        int[] ids = draw(1, 1.0f, 0.5f, 500);
        assertThat(Arrays.stream(ids).distinct().sorted().toArray()).containsExactly(1, 3);
    }
}
