package org.qins.transformer;

import com.google.inject.Guice;
import com.google.inject.Module;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.qins.api.KvCache;
import org.qins.api.KvCacheProvider;
import org.qins.api.KvCacheSpec;
import org.qins.api.LinearLayerProvider;
import org.qins.api.Parallel;
import org.qins.api.WeightFormat;
import org.qins.transformer.arch.ArchitectureRegistry;
import org.qins.transformer.config.ConfigLoader;
import org.qins.transformer.config.ModelConfig;
import org.qins.transformer.convert.ConversionListener;
import org.qins.transformer.convert.ConversionOptions;
import org.qins.transformer.convert.ConversionReport;
import org.qins.transformer.convert.ModelConverter;
import org.qins.transformer.generate.Generator;
import org.qins.transformer.model.CausalLm;
import org.qins.transformer.memory.MemoryBudget;
import org.qins.transformer.memory.MemoryNeed;
import org.qins.transformer.model.ModelLoader;
import org.qins.transformer.parallel.WorkerPool;
import org.qins.transformer.provider.CodecAtRestFlag;
import org.qins.transformer.provider.LayerLoader;
import org.qins.transformer.provider.ProviderRegistry;
import org.qins.transformer.provider.ProviderSelector;
import org.qins.transformer.provider.ProvidersModule;

/**
 * The engine's front door for a library user: providers found on the classpath (and in any
 * Guice modules given), a worker pool, and the choices of linear provider, its options and the
 * KV cache. Loads models, makes generators, converts checkpoints.
 *
 * <pre>{@code
 * try (QinsEngine engine = QinsEngine.builder().threads(2).build();
 *      CausalLm model = engine.load(Path.of("model-qins"))) {
 *     engine.generator(model).generate(prompt, GenerationOptions.greedy(64, Set.of()), listener);
 * }
 * }</pre>
 */
public final class QinsEngine implements AutoCloseable {

    private final ProviderSelector selector;
    private final WorkerPool pool;
    private final String linear;
    private final Map<String, String> layerOptions;
    private final String kv;
    private final MemoryBudget budget;
    private final int prefillChunk;
    private final boolean weightsInMemory;

    private QinsEngine(ProviderSelector selector, WorkerPool pool, String linear, Map<String, String> layerOptions, String kv,
            MemoryBudget budget, int prefillChunk, boolean weightsInMemory) {
        this.selector = selector;
        this.pool = pool;
        this.linear = linear;
        this.layerOptions = Map.copyOf(layerOptions);
        this.kv = kv;
        this.budget = budget;
        this.prefillChunk = prefillChunk;
        this.weightsInMemory = weightsInMemory;
    }

    /** The memory loads and requests are checked against (this JVM and machine unless the builder set another). */
    public MemoryBudget memoryBudget() {
        return budget;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Worker threads when none are asked for: one per available processor. */
    public static int defaultThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** The providers and formats this engine found, and the selection rules over them. */
    public ProviderSelector providers() {
        return selector;
    }

    /** The worker pool every layer of every model loaded here computes on. */
    public Parallel parallel() {
        return pool;
    }

    public int threads() {
        return pool.threads();
    }

    /** The explicitly chosen linear provider's name, or null (flag and priorities decide per stored format). */
    public String linearName() {
        return linear;
    }

    /** The KV cache provider (explicit name, else the highest priority), logged once. */
    public KvCacheProvider kvCache() {
        return selector.selectKv(kv).provider();
    }

    /** Loads a model directory with this engine's linear provider and options. */
    public CausalLm load(Path modelDir) {
        return load(modelDir, linear, layerOptions);
    }

    /**
     * Loads a model directory with another linear provider (null: flag and priorities) and options. A model whose
     * {@linkplain ModelLoader#plan memory plan} does not fit the memory left is refused before anything is allocated.
     */
    public CausalLm load(Path modelDir, String linearProvider, Map<String, String> options) {
        return loader(linearProvider, options).load(modelDir).prefillChunk(prefillChunk);
    }

    private ModelLoader loader(String linearProvider, Map<String, String> options) {
        return new ModelLoader(new LayerLoader(selector, linearProvider, pool, options).weightsInMemory(weightsInMemory),
                ArchitectureRegistry.standard(), budget);
    }

    /**
     * What a run of {@code promptTokens} + {@code newTokens} on {@code modelDir} will need, without loading it: its
     * load plan (float copies, codes made at load, mapped weights), the KV cache of {@code kvName} for every position
     * and the activations of a prefill chunk. Refuses, before anything is allocated, a run longer than the model's
     * context.
     */
    public MemoryNeed planRun(Path modelDir, String linearProvider, Map<String, String> options, String kvName, int promptTokens,
            int newTokens) {
        ModelConfig c = ConfigLoader.load(modelDir);
        Generator.requireFits(promptTokens, newTokens, c.maxPositionEmbeddings());
        KvCacheProvider provider = selector.selectKv(kvName).provider();
        int positions = promptTokens + Math.max(0, newTokens - 1);
        int window = c.slidingWindow() == 0 ? positions : c.slidingWindow();
        KvCache probe = provider.create(new KvCacheSpec(c.layers(), c.kvHeads(), c.headDim(), 1));
        long kvBytes = (long) Math.min(positions, window) * probe.bytesPerToken();
        int rows = Math.min(prefillChunk, promptTokens);
        ModelLoader.LoadPlan load = loader(linearProvider, options).plan(modelDir);
        MemoryNeed request = MemoryNeed.of("")
                .plus(String.format(java.util.Locale.ROOT, "KV cache %s for %,d positions (%,d bytes each)", provider.name(),
                        Math.min(positions, window), probe.bytesPerToken()), kvBytes, true)
                .plus("activations for " + rows + " rows", ModelLoader.activationBytes(c, rows), true);
        return load.need().and(request, String.format(java.util.Locale.ROOT, "%s: %,d prompt + %,d new tokens with %s",
                load.need().task(), promptTokens, newTokens, provider.name()));
    }

    /** A generator over {@code model} with this engine's KV cache. */
    public Generator generator(CausalLm model) {
        return new Generator(model, kvCache());
    }

    /**
     * The format a conversion writes when none is named: the preferred format of the linear
     * provider this engine would choose (the explicit one, else {@code QINS_CODEC_AT_REST}'s).
     */
    public String defaultFormat() {
        LinearLayerProvider p = selector.chooseLinear(linear, null).provider();
        if (p.preferredFormat() == null) {
            throw new IllegalArgumentException("linear provider '" + p.name() + "' names no format to convert to; give one"
                    + " (the classpath has " + selector.registry().formats().all().stream().map(WeightFormat::name).toList() + ")");
        }
        return p.preferredFormat();
    }

    /** A converter for {@code options} (its format resolved by name, its options checked), encoding on this engine's threads. */
    public ModelConverter converter(ConversionOptions options) {
        return new ModelConverter(selector.registry().formats().forName(options.format()), options, pool.threads());
    }

    /** Converts a float checkpoint into {@code output}, written under a temporary name and renamed when complete. */
    public ConversionReport convert(Path source, Path output, ConversionOptions options, ConversionListener listener) {
        return converter(options).convert(source, output, listener);
    }

    /** Stops the worker pool (models loaded here must not be used afterwards). */
    @Override
    public void close() {
        pool.close();
    }

    /** Settings of an engine; everything has a default. */
    public static final class Builder {
        private int threads = defaultThreads();
        private String linear;
        private String kv;
        private final Map<String, String> layerOptions = new LinkedHashMap<>();
        private final List<Module> modules = new ArrayList<>();
        private Supplier<String> flag = CodecAtRestFlag::rawValue;
        private ProviderRegistry registry;
        private MemoryBudget budget = MemoryBudget.system();
        private int prefillChunk = CausalLm.DEFAULT_PREFILL_CHUNK;
        private boolean weightsInMemory;

        private Builder() {
        }

        /** The memory loads and requests are checked against (default: this JVM and machine). */
        public Builder memoryBudget(MemoryBudget budget) {
            this.budget = java.util.Objects.requireNonNull(budget);
            return this;
        }

        /**
         * Copy the weights that layers would read in place from the mapped checkpoint into memory at load (default
         * false: computed on the mapping). {@code --no-mmap} on the command line.
         */
        public Builder weightsInMemory(boolean inMemory) {
            this.weightsInMemory = inMemory;
            return this;
        }

        /** Tokens a prefill feeds per forward call (default {@value CausalLm#DEFAULT_PREFILL_CHUNK}). */
        public Builder prefillChunk(int tokens) {
            if (tokens < 1) {
                throw new IllegalArgumentException("prefill chunk must be >= 1 token, got " + tokens);
            }
            this.prefillChunk = tokens;
            return this;
        }

        /** Worker threads (default: {@link #defaultThreads()}). */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /** Worker threads, or the default when null. */
        public Builder threads(Integer threads) {
            return threads(threads == null ? defaultThreads() : threads);
        }

        /** The linear provider by name ({@code fp32}, {@code qins}, ...); null lets the flag and priorities decide. */
        public Builder linear(String name) {
            this.linear = name;
            return this;
        }

        /**
         * The programmatic override of {@code QINS_CODEC_AT_REST}, as the seed's
         * {@code use_codec=True|False}: true = Pattern A, false = the deprecated legacy layer.
         */
        public Builder useCodec(boolean useCodec) {
            return linear(CodecAtRestFlag.providerFor(useCodec));
        }

        /** An option of the chosen linear provider, checked against the options it declares. */
        public Builder layerOption(String key, String value) {
            layerOptions.put(key, value);
            return this;
        }

        public Builder layerOptions(Map<String, String> options) {
            layerOptions.putAll(options);
            return this;
        }

        /** The KV cache provider by name; null: the highest priority. */
        public Builder kv(String name) {
            this.kv = name;
            return this;
        }

        /** Guice modules that bind providers or formats of an application's own, next to those found on the classpath. */
        public Builder modules(Module... more) {
            modules.addAll(List.of(more));
            return this;
        }

        /** Where {@code QINS_CODEC_AT_REST} is read from (default: system property, then environment). */
        public Builder flag(Supplier<String> source) {
            this.flag = source;
            return this;
        }

        /** Use exactly these providers and formats instead of discovering them (e.g. an isolated class loader's). */
        public Builder registry(ProviderRegistry registry) {
            this.registry = registry;
            return this;
        }

        public QinsEngine build() {
            ProviderRegistry r = registry;
            if (r == null) {
                List<Module> all = new ArrayList<>(modules);
                all.add(0, new ProvidersModule());
                r = Guice.createInjector(all).getInstance(ProviderRegistry.class);
            }
            ProviderSelector selector = new ProviderSelector(r, flag);
            if (linear != null) {
                new LayerLoader(selector, linear, Parallel.SEQUENTIAL, layerOptions); // checks the name and the options now
            } else if (!layerOptions.isEmpty()) {
                LinearLayerProvider chosen = selector.chooseLinear(null, null).provider();
                new LayerLoader(selector, chosen.name(), Parallel.SEQUENTIAL, layerOptions);
            }
            if (kv != null) {
                r.kv(kv);
            }
            return new QinsEngine(selector, new WorkerPool(threads), linear, layerOptions, kv, budget, prefillChunk, weightsInMemory);
        }
    }
}
