package org.qins.transformer.convert;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.qins.api.CalibratedEncoding;
import org.qins.api.LayerSpec;
import org.qins.api.Options;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;
import org.qins.api.WeightFormat;
import org.qins.transformer.arch.Architecture;
import org.qins.transformer.checkpoint.Checkpoint;
import org.qins.transformer.checkpoint.FiniteCheck;
import org.qins.transformer.checkpoint.SafetensorsWriter;
import org.qins.transformer.checkpoint.StoredFormats;
import org.qins.transformer.config.ModelConfig;
import org.qins.transformer.model.ModelTensors;
import org.qins.transformer.source.ModelSource;

/**
 * Streams a float checkpoint into an encoded one. The linear weights of the decoder blocks (the
 * tensors the model's {@link Architecture} names as block projections) go through the weight
 * format's {@code encode}; every other tensor (embeddings, norms, biases, an untied head unless
 * asked) is copied in its own float type. The
 * other files of the directory (config, tokenizer, generation config) are copied. Output goes
 * to a temporary sibling directory renamed to {@code output} only when complete. Memory stays
 * bounded by one tensor: sources are mapped, the writer streams to disk.
 */
public final class ModelConverter {

    /** Version of the checkpoint convention written in {@link StoredFormats#CHECKPOINT_KEY}. */
    public static final String CHECKPOINT_VERSION = "1";
    private static final String WEIGHT = ".weight";
    /** Checkpoint metadata: what the block weights were calibrated on (absent when not calibrated). */
    public static final String CALIBRATION_KEY = "qins.calibration";

    private final WeightFormat format;
    private final Options formatOptions;
    private final ConversionOptions options;

    /** A converter writing {@code format}; its options are checked here, before any file is touched. */
    public ModelConverter(WeightFormat format, ConversionOptions options) {
        if (!format.name().equals(options.format())) {
            throw new IllegalArgumentException("conversion options name format '" + options.format() + "', not " + format.name());
        }
        this.format = format;
        this.formatOptions = Options.of("weight format '" + format.name() + "'", format.options(), options.formatOptions());
        this.options = options;
        if (options.calibration() != null) {
            requireCalibratable();
        }
    }

    /**
     * Refuses, before a calibration pass is spent on it, a conversion that cannot use calibration
     * statistics: a format that does not implement {@link CalibratedEncoding} (named), options its
     * calibrated encoding cannot honour, or {@code encodeHead} (the pass records the block linears only).
     */
    public void requireCalibratable() {
        if (!(format instanceof CalibratedEncoding calibrated)) {
            throw new IllegalArgumentException("weight format '" + format.name() + "' cannot encode with calibration statistics"
                    + " (it does not implement CalibratedEncoding); convert without calibration or choose another format");
        }
        calibrated.checkCalibrated(formatOptions);
        if (options.encodeHead()) {
            throw new IllegalArgumentException("calibration covers the block linears only; the head cannot be encoded with it"
                    + " (drop --encode-head or calibration)");
        }
    }

    /** The weight tensors a conversion of a model with {@code config} encodes: block linears, and the head if asked. */
    public Set<String> encodedTensors(ModelConfig config) {
        Architecture arch = config.architecture();
        Set<String> names = new HashSet<>();
        for (String base : arch.blockLinears(config.layers())) {
            names.add(base + WEIGHT);
        }
        if (options.encodeHead() && !config.tieWordEmbeddings()) {
            names.add(arch.head() + WEIGHT);
        }
        return names;
    }

    public ConversionReport convert(Path modelDir, Path output, ConversionListener listener) {
        if (Files.exists(output)) {
            throw new IllegalArgumentException(output + " already exists; choose another --output or remove it");
        }
        Path parent = output.toAbsolutePath().getParent();
        Path tmp;
        try {
            Files.createDirectories(parent);
            tmp = Files.createTempDirectory(parent, "." + output.getFileName() + ".tmp-");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot create a directory next to " + output + ": " + e.getMessage(), e);
        }
        // Ctrl-C or kill: remove the partial directory on the way out.
        Path partial = tmp;
        Thread cleanup = new Thread(() -> deleteQuietly(partial), "qins-convert-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            ConversionReport report = write(modelDir, tmp, listener);
            ModelSource.of(modelDir).writeModelFiles(tmp);
            moveIntoPlace(tmp, output);
            return report;
        } catch (RuntimeException | Error e) {
            deleteQuietly(tmp);
            throw e;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to: it cleans up
            }
        }
    }

    private ConversionReport write(Path modelDir, Path tmp, ConversionListener listener) {
        int encoded = 0;
        int copied = 0;
        long params = 0;
        long encodedBytes = 0;
        long sourceBytes = 0;
        ModelConfig config = ModelSource.of(modelDir).config();
        Set<String> toEncode = encodedTensors(config);
        Map<String, LayerSpec> linears = config.linearSpecs();
        Set<String> floats = new HashSet<>(ModelTensors.floatTensors(config));
        try (Checkpoint source = ModelSource.of(modelDir).openCheckpoint(config)) {
            if (source.metadata().containsKey(StoredFormats.CHECKPOINT_KEY)) {
                throw new IllegalArgumentException(modelDir + " is already a converted checkpoint (format "
                        + source.metadata().getOrDefault(StoredFormats.FORMAT_KEY, source.metadata().get(StoredFormats.PROVIDER_KEY))
                        + "); convert the float original");
            }
            for (String name : new java.util.TreeSet<>(toEncode)) {
                if (!source.has(name) && !source.isEncoded(name.substring(0, name.length() - WEIGHT.length()))) {
                    throw new IllegalArgumentException(modelDir + ": no tensor '" + name + "', which its architecture names as a linear weight");
                }
            }
            if (options.calibration() != null) {
                for (String name : new java.util.TreeSet<>(toEncode)) {
                    String base = name.substring(0, name.length() - WEIGHT.length());
                    if (options.calibration().of(base).inFeatures() != linears.get(base).inFeatures()) {
                        throw new IllegalArgumentException("calibration statistics of tensor '" + base + "' have "
                                + options.calibration().of(base).inFeatures() + " inputs, the layer " + linears.get(base).inFeatures()
                                + ": statistics of another model");
                    }
                }
            }
            long total = source.tensorNames().stream().mapToLong(n -> source.tensor(n).data().byteSize()).sum();
            listener.started(source.tensorNames().size(), total);
            SafetensorsWriter writer = new SafetensorsWriter(tmp.resolve(Checkpoint.SINGLE_FILE));
            try {
                writer.putMetadata(StoredFormats.CHECKPOINT_KEY, CHECKPOINT_VERSION);
                writer.putMetadata(StoredFormats.FORMAT_KEY, format.name());
                if (options.calibration() != null) {
                    writer.putMetadata(CALIBRATION_KEY, options.calibration().tokens() + " tokens: " + options.calibration().describe());
                }
                Set<String> sourceEncoded = new HashSet<>();
                for (String name : source.tensorNames()) {
                    String base = floats.contains(name) ? null : encodedBase(source, linears, name);
                    if (base != null) {
                        // a weight stored encoded in the source (a GGUF's Q8_0): decoded once, then encoded or kept as float32
                        if (sourceEncoded.add(base)) {
                            StoredWeight stored = source.linear(base);
                            boolean encode = toEncode.contains(base + WEIGHT);
                            StoredWeight enc = writeDecoded(writer, stored, linears.get(base), encode, source.fileOf(name));
                            if (enc != null) {
                                encoded++;
                                params += linears.get(base).parameters();
                                encodedBytes += enc.byteSize();
                            } else {
                                copied++;
                            }
                            long bytes = stored.parts().entrySet().stream().filter(e -> !floats.contains(base + "." + e.getKey()))
                                    .mapToLong(e -> e.getValue().data().byteSize()).sum(); // its bias is counted as itself
                            sourceBytes += bytes;
                            listener.tensorDone(base, bytes, encode);
                        }
                        continue;
                    }
                    TensorView t = source.tensor(name);
                    FiniteCheck.requireFiniteWeights(t, source.fileOf(name)); // a NaN copied or encoded is a broken model
                    long bytes = t.data().byteSize();
                    boolean encode = toEncode.contains(name);
                    if (encode) {
                        checkLinear(t, source.fileOf(name));
                        String weightBase = name.substring(0, name.length() - WEIGHT.length());
                        LayerSpec spec = new LayerSpec(weightBase, Math.toIntExact(t.dim(0)), Math.toIntExact(t.dim(1)));
                        StoredWeight stored = encodeOne(spec, t, source.fileOf(name));
                        put(writer, stored);
                        encoded++;
                        params += spec.parameters();
                        encodedBytes += stored.byteSize();
                    } else {
                        writer.add(name, t);
                        copied++;
                    }
                    sourceBytes += bytes;
                    listener.tensorDone(name, bytes, encode);
                }
                long out = writer.dataBytes();
                writer.close();
                return new ConversionReport(encoded, copied, params, encodedBytes, sourceBytes, out);
            } catch (RuntimeException e) {
                writer.abort();
                throw e;
            }
        }
    }

    /**
     * A weight the source stores encoded (a GGUF file's Q8_0), decoded by its format, then encoded ({@code encode}: the
     * encoded weight is returned) or written as float32 (null), as the converter keeps every weight it does not encode.
     */
    private StoredWeight writeDecoded(SafetensorsWriter writer, StoredWeight stored, LayerSpec spec, boolean encode, Path file) {
        TensorView decoded = WeightFormat.forName(stored.format()).decode(spec, stored);
        if (encode) {
            StoredWeight enc = encodeOne(spec, decoded, file);
            put(writer, enc);
            return enc;
        }
        writer.add(spec.name() + WEIGHT, decoded);
        return null;
    }

    /** Writes an encoded weight: its parts as tensors {@code base.<part>}, its format and parameters as metadata. */
    private static void put(SafetensorsWriter writer, StoredWeight stored) {
        String base = stored.name();
        writer.putMetadata(StoredFormats.formatKey(base), stored.format());
        for (Map.Entry<String, String> m : stored.metadata().entrySet()) {
            writer.putMetadata(StoredFormats.metaPrefix(base) + m.getKey(), m.getValue());
        }
        for (Map.Entry<String, TensorView> part : new java.util.TreeMap<>(stored.parts()).entrySet()) {
            writer.add(base + "." + part.getKey(), part.getValue());
        }
    }

    /** The linear weight {@code name} is a part of when the source stores that weight encoded, else null. */
    private static String encodedBase(Checkpoint source, Map<String, LayerSpec> linears, String name) {
        int dot = name.lastIndexOf('.');
        String base = dot > 0 ? name.substring(0, dot) : null;
        return base != null && linears.containsKey(base) && source.isEncoded(base) ? base : null;
    }

    private static void checkLinear(TensorView t, Path file) {
        if (t.rank() != 2 || !t.dtype().isFloat()) {
            throw new IllegalArgumentException(file + ": tensor '" + t.name() + "' is " + t.dtype() + java.util.Arrays.toString(t.shape())
                    + ", expected a float matrix (a linear weight)");
        }
    }

    private StoredWeight encodeOne(LayerSpec spec, TensorView t, Path file) {
        try {
            if (options.calibration() != null) {
                return ((CalibratedEncoding) format).encodeCalibrated(spec, t, formatOptions, options.calibration().of(spec.name()));
            }
            return format.encode(spec, t, formatOptions);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": tensor '" + t.name() + "': " + format.name() + " cannot encode it: "
                    + e.getMessage(), e);
        }
    }

    private static void moveIntoPlace(Path tmp, Path output) {
        try {
            try {
                Files.move(tmp, output, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, output);
            }
        } catch (FileAlreadyExistsException e) {
            throw new IllegalArgumentException(output + " appeared during the conversion; not overwritten", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot rename " + tmp + " to " + output + ": " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // the conversion's own error is the one to report
        }
    }
}
