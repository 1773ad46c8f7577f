package org.qins.transformer.arch;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Which projections carry a {@code .bias} added after the product: some always (Qwen2's q, k and
 * v), others when a config flag is true (Llama's {@code attention_bias}: q, k, v and o;
 * {@code mlp_bias}: gate, up and down).
 *
 * @param always projections that always have a bias
 * @param byFlag config flag name to the projections it gives a bias
 */
public record BiasRule(Set<Projection> always, Map<String, Set<Projection>> byFlag) {

    public static final BiasRule NONE = new BiasRule(Set.of(), Map.of());
    /** Llama's flags, which Qwen3 shares. */
    public static final BiasRule LLAMA_FLAGS = new BiasRule(Set.of(),
            Map.of("attention_bias", Set.of(Projection.QKV, Projection.O), "mlp_bias", Set.of(Projection.GATE_UP, Projection.DOWN)));

    public BiasRule {
        always = Set.copyOf(always);
        byFlag = Map.copyOf(byFlag);
    }

    /** The biased projections of a model whose config sets the flags that {@code flagSet} accepts. */
    public Set<Projection> resolve(Predicate<String> flagSet) {
        Set<Projection> out = EnumSet.noneOf(Projection.class);
        out.addAll(always);
        byFlag.forEach((flag, projections) -> {
            if (flagSet.test(flag)) {
                out.addAll(projections);
            }
        });
        return Set.copyOf(out);
    }
}
