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
import org.qins.transformer.config.ConfigLoader;
import org.qins.transformer.config.ModelConfig;

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
            copyOtherFiles(modelDir, tmp);
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
        Set<String> toEncode = encodedTensors(ConfigLoader.load(modelDir));
        try (Checkpoint source = Checkpoint.open(modelDir)) {
            if (source.metadata().containsKey(StoredFormats.CHECKPOINT_KEY)) {
                throw new IllegalArgumentException(modelDir + " is already a converted checkpoint (format "
                        + source.metadata().getOrDefault(StoredFormats.FORMAT_KEY, source.metadata().get(StoredFormats.PROVIDER_KEY))
                        + "); convert the float original");
            }
            for (String name : new java.util.TreeSet<>(toEncode)) {
                if (!source.has(name)) {
                    throw new IllegalArgumentException(modelDir + ": no tensor '" + name + "', which its architecture names as a linear weight");
                }
            }
            long total = source.tensorNames().stream().mapToLong(n -> source.tensor(n).data().byteSize()).sum();
            listener.started(source.tensorNames().size(), total);
            ShardedCheckpointWriter writer = new ShardedCheckpointWriter(tmp, options.shardBytes());
            try (EncodePipeline pipeline = new EncodePipeline(threads)) {
                writer.putSharedMetadata(StoredFormats.CHECKPOINT_KEY, CHECKPOINT_VERSION);
                writer.putSharedMetadata(StoredFormats.FORMAT_KEY, format.name());
                Tally tally = new Tally();
                for (String name : source.tensorNames()) {
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
    private StoredWeight encodeOne(Checkpoint source, String name, java.lang.foreign.SegmentAllocator memory) {
        TensorView t = source.tensor(name);
        Path file = source.fileOf(name);
        FiniteCheck.requireFiniteWeights(t, file); // a NaN encoded is a broken model
        checkLinear(t, file);
        String base = name.substring(0, name.length() - WEIGHT.length());
        LayerSpec spec = new LayerSpec(base, Math.toIntExact(t.dim(0)), Math.toIntExact(t.dim(1)));
        try {
            return format.encode(spec, t, formatOptions, memory);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": tensor '" + t.name() + "': " + format.name() + " cannot encode it: "
                    + e.getMessage(), e);
        }
    }

    /** Writes one tensor in order (on the calling thread): its encoded parts, or its bytes copied a piece at a time. */
    private void writeOne(Checkpoint source, EncodePipeline.Done done, ShardedCheckpointWriter writer, Tally tally,
            ConversionListener listener) {
        String name = done.name();
        TensorView t = source.tensor(name);
        long bytes = t.data().byteSize();
        StoredWeight stored = done.stored();
        if (stored != null) {
            String base = stored.name();
            for (Map.Entry<String, TensorView> part : new java.util.TreeMap<>(stored.parts()).entrySet()) {
                writer.add(base + "." + part.getKey(), part.getValue());
            }
            writer.putMetadata(StoredFormats.formatKey(base), stored.format());
            for (Map.Entry<String, String> m : stored.metadata().entrySet()) {
                writer.putMetadata(StoredFormats.metaPrefix(base) + m.getKey(), m.getValue());
            }
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

    private static void checkLinear(TensorView t, Path file) {
        if (t.rank() != 2 || !t.dtype().isFloat()) {
            throw new IllegalArgumentException(file + ": tensor '" + t.name() + "' is " + t.dtype() + java.util.Arrays.toString(t.shape())
                    + ", expected a float matrix (a linear weight)");
        }
    }

    private static void copyOtherFiles(Path from, Path to) {
        try (Stream<Path> files = Files.list(from)) {
            for (Path p : files.toList()) {
                String n = p.getFileName().toString();
                if (Files.isRegularFile(p) && !n.endsWith(".safetensors") && !n.equals(Checkpoint.INDEX_FILE)) {
                    Files.copy(p, to.resolve(n));
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot copy the model files of " + from + ": " + e.getMessage(), e);
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
