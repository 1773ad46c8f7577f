package org.qins.transformer.convert;

import org.qins.transformer.io.AtomicFiles;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SegmentAllocator;
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
import org.qins.transformer.checkpoint.ShardedCheckpointWriter;
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
 * to a temporary sibling directory renamed to {@code output} only when complete, sharded as the
 * Hub shards ({@link ConversionOptions#shardBytes()}, an index when there are several shards).
 *
 * <p>Memory stays bounded by the tensors in flight, whatever the model's size: sources are mapped
 * and each tensor's pages are released from the resident set once it is written
 * ({@link Checkpoint#release}); encoded parts live in an arena closed right after they are written;
 * kept tensors are copied 64 MB at a time; the writer streams to disk. Up to {@code threads}
 * tensors encode at once, each on its own thread, and are written in the source's order.
 */
public final class ModelConverter {

    /** Version of the checkpoint convention written in {@link StoredFormats#CHECKPOINT_KEY}. */
    public static final String CHECKPOINT_VERSION = "1";
    private static final String WEIGHT = ".weight";
    /** Checkpoint metadata: what the block weights were calibrated on (absent when not calibrated). */
    public static final String CALIBRATION_KEY = "qins.calibration";

    /** Bytes of a kept float tensor copied (and checked) at a time. */
    private static final long COPY_PIECE = 64L << 20;

    private final WeightFormat format;
    private final Options formatOptions;
    private final ConversionOptions options;
    private final int threads;

    /** A converter writing {@code format} on one thread; its options are checked here, before any file is touched. */
    public ModelConverter(WeightFormat format, ConversionOptions options) {
        this(format, options, 1);
    }

    /**
     * A converter writing {@code format}, encoding up to {@code threads} tensors at once (written in order, so the
     * output does not depend on it); its options are checked here, before any file is touched.
     */
    public ModelConverter(WeightFormat format, ConversionOptions options, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
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
        Path tmp;
        try {
            tmp = AtomicFiles.newTempDirectory(output); // a killed run's leftover is removed here
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
            ShardedCheckpointWriter writer = new ShardedCheckpointWriter(tmp, options.shardBytes());
            try (EncodePipeline pipeline = new EncodePipeline(threads)) {
                writer.putSharedMetadata(StoredFormats.CHECKPOINT_KEY, CHECKPOINT_VERSION);
                writer.putSharedMetadata(StoredFormats.FORMAT_KEY, format.name());
                if (options.calibration() != null) {
                    writer.putSharedMetadata(CALIBRATION_KEY, options.calibration().tokens() + " tokens: "
                            + options.calibration().describe());
                }
                Tally tally = new Tally();
                Set<String> sourceEncoded = new HashSet<>();
                for (String name : source.tensorNames()) {
                    String base = floats.contains(name) ? null : encodedBase(source, linears, name);
                    if (base != null) {
                        // a weight stored encoded in the source (a GGUF's Q8_0): decoded once, then encoded or kept as
                        // float32, written here once the tensors before it are (in order, on this thread)
                        if (sourceEncoded.add(base)) {
                            pipeline.finish();
                            writeDecoded(source, base, linears.get(base), floats, toEncode.contains(base + WEIGHT),
                                    source.fileOf(name), writer, tally, listener);
                        }
                        continue;
                    }
                    boolean encode = toEncode.contains(name);
                    EncodePipeline.Job job = encode ? memory -> encodeOne(source, name, memory) : null;
                    pipeline.submit(name, job, done -> writeOne(source, done, writer, tally, listener));
                }
                pipeline.finish();
                writer.close();
                return new ConversionReport(tally.encoded, tally.copied, tally.params, tally.encodedBytes, tally.sourceBytes,
                        writer.dataBytes());
            } catch (RuntimeException | Error e) {
                writer.abort();
                throw e;
            }
        }
    }

    /** Counts of what was written. */
    private static final class Tally {
        int encoded;
        int copied;
        long params;
        long encodedBytes;
        long sourceBytes;
    }

    /** Checks and encodes one block weight (on a pipeline thread), its parts in {@code memory}. */
    private StoredWeight encodeOne(Checkpoint source, String name, SegmentAllocator memory) {
        TensorView t = source.tensor(name);
        Path file = source.fileOf(name);
        FiniteCheck.requireFiniteWeights(t, file); // a NaN encoded is a broken model
        checkLinear(t, file);
        String base = name.substring(0, name.length() - WEIGHT.length());
        LayerSpec spec = new LayerSpec(base, Math.toIntExact(t.dim(0)), Math.toIntExact(t.dim(1)));
        return encode(spec, t, file, memory);
    }

    /** Writes one tensor in order (on the calling thread): its encoded parts, or its bytes copied a piece at a time. */
    private void writeOne(Checkpoint source, EncodePipeline.Done done, ShardedCheckpointWriter writer, Tally tally,
            ConversionListener listener) {
        String name = done.name();
        TensorView t = source.tensor(name);
        long bytes = t.data().byteSize();
        StoredWeight stored = done.stored();
        if (stored != null) {
            put(writer, stored);
            tally.encoded++;
            tally.params += t.elementCount();
            tally.encodedBytes += stored.byteSize();
        } else {
            copy(source, name, t, writer);
            tally.copied++;
        }
        source.release(name); // read by now: its pages leave the resident set
        tally.sourceBytes += bytes;
        listener.tensorDone(name, bytes, stored != null);
    }

    /** Copies a float tensor in pieces of {@value #COPY_PIECE} bytes, each checked for non-finite values and then released. */
    private static void copy(Checkpoint source, String name, TensorView t, ShardedCheckpointWriter writer) {
        Path file = source.fileOf(name);
        int size = t.dtype().bytes();
        long elements = t.elementCount();
        long perPiece = Math.max(1, COPY_PIECE / size);
        writer.add(name, t.dtype(), t.shape(), sink -> {
            for (long e = 0; e < elements; e += perPiece) {
                long n = Math.min(perPiece, elements - e);
                FiniteCheck.requireFiniteWeights(t, file, e, n); // a NaN copied is a broken model
                sink.write(t.data().asSlice(e * size, n * size));
                source.release(name, e * size, n * size);
            }
        });
    }

    /**
     * A weight the source stores encoded (a GGUF file's Q8_0), decoded by its format, then encoded ({@code encode}) or
     * written as float32, as the converter keeps every weight it does not encode.
     */
    private void writeDecoded(Checkpoint source, String base, LayerSpec spec, Set<String> floats, boolean encode, Path file,
            ShardedCheckpointWriter writer, Tally tally, ConversionListener listener) {
        StoredWeight stored = source.linear(base);
        try (Arena memory = Arena.ofConfined()) { // the float32 copy and the encoded parts, freed once written
            TensorView decoded = WeightFormat.forName(stored.format()).decode(spec, stored, memory);
            if (encode) {
                StoredWeight enc = encode(spec, decoded, file, memory);
                put(writer, enc);
                tally.encoded++;
                tally.params += spec.parameters();
                tally.encodedBytes += enc.byteSize();
            } else {
                writer.add(spec.name() + WEIGHT, decoded);
                tally.copied++;
            }
        }
        long bytes = stored.parts().entrySet().stream().filter(e -> !floats.contains(base + "." + e.getKey()))
                .mapToLong(e -> e.getValue().data().byteSize()).sum(); // its bias is counted as itself
        tally.sourceBytes += bytes;
        listener.tensorDone(base, bytes, encode);
    }

    /** Writes an encoded weight: its parts as tensors {@code base.<part>}, its format and parameters as metadata. */
    private static void put(ShardedCheckpointWriter writer, StoredWeight stored) {
        String base = stored.name();
        for (Map.Entry<String, TensorView> part : new java.util.TreeMap<>(stored.parts()).entrySet()) {
            writer.add(base + "." + part.getKey(), part.getValue());
        }
        writer.putMetadata(StoredFormats.formatKey(base), stored.format());
        for (Map.Entry<String, String> m : stored.metadata().entrySet()) {
            writer.putMetadata(StoredFormats.metaPrefix(base) + m.getKey(), m.getValue());
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

    private StoredWeight encode(LayerSpec spec, TensorView t, Path file, SegmentAllocator memory) {
        try {
            if (options.calibration() != null) {
                return ((CalibratedEncoding) format).encodeCalibrated(spec, t, formatOptions, options.calibration().of(spec.name()));
            }
            return format.encode(spec, t, formatOptions, memory);
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
