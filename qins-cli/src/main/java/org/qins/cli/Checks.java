package org.qins.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.qins.transformer.config.ConfigLoader;
import org.qins.transformer.config.ModelConfig;
import org.qins.transformer.gguf.GgufFile;
import org.qins.transformer.source.ModelSource;
import org.qins.transformer.parallel.WorkerPool;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Checks of a command's option values, made before anything is loaded or run: each failure is a
 * {@link ParameterException} (exit status 2) that names the option, its value and the limit.
 */
final class Checks {

    private final CommandSpec spec;

    Checks(CommandSpec spec) {
        this.spec = spec;
    }

    ParameterException fail(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** {@code value >= min}. */
    void atLeast(String option, long value, long min) {
        if (value < min) {
            throw fail(option + " " + value + ": must be at least " + min);
        }
    }

    /** {@code min <= value <= max}; {@code maxWhy} says where the maximum comes from (or is null). */
    void within(String option, long value, long min, long max, String maxWhy) {
        if (value < min || value > max) {
            throw fail(option + " " + value + ": must be from " + min + " to " + max + (maxWhy == null ? "" : " (" + maxWhy + ")"));
        }
    }

    /** A sampling temperature: finite and at least 0 (0 = greedy). */
    void temperature(float t) {
        if (!(t >= 0) || Float.isInfinite(t)) {
            throw fail("--temperature " + t + ": must be a finite number, 0 (greedy) or more");
        }
    }

    /** A nucleus mass in (0, 1]. */
    void topP(float p) {
        if (!(p > 0 && p <= 1)) {
            throw fail("--top-p " + p + ": must be more than 0 and at most 1 (1 = off)");
        }
    }

    /** The config of a model directory (it must exist and hold config.json) or of a GGUF file; config errors name the file. */
    ModelConfig model(String option, Path dir) {
        if (dir.toString().isEmpty()) {
            throw fail(option + ": empty path; give a model directory");
        }
        if (!Files.exists(dir)) {
            throw fail(option + " " + dir + ": no such directory");
        }
        if (GgufFile.isGguf(dir)) {
            return ModelSource.of(dir).config(); // a GGUF file carries its config in its metadata
        }
        if (!Files.isDirectory(dir)) {
            throw fail(option + " " + dir + ": a file, not a model directory (give the directory that holds config.json, or a"
                    + " GGUF file)");
        }
        Path config = dir.resolve("config.json");
        if (Files.exists(config) && !Files.isRegularFile(config)) {
            throw fail(option + " " + dir + ": its config.json is not a regular file");
        }
        if (!Files.exists(config)) {
            throw fail(option + " " + dir + ": no config.json in it (found: " + listing(dir) + ")");
        }
        return ConfigLoader.load(dir);
    }

    /** An existing, readable regular file. */
    Path inputFile(String option, Path file) {
        if (file.toString().isEmpty()) {
            throw fail(option + ": empty path; give a file");
        }
        if (!Files.exists(file)) {
            throw fail(option + " " + file + ": no such file");
        }
        if (!Files.isRegularFile(file)) {
            throw fail(option + " " + file + ": a directory, not a file");
        }
        if (!Files.isReadable(file)) {
            throw fail(option + " " + file + ": not readable (permission denied)");
        }
        return file;
    }

    /** A file to write: not a directory, in an existing writable directory (written atomically later). */
    void outputFile(String option, Path file) {
        if (file.toString().isEmpty()) {
            throw fail(option + ": empty path; give a file to write");
        }
        if (Files.isDirectory(file)) {
            throw fail(option + " " + file + ": a directory; give a file to write");
        }
        if (Files.exists(file) && !Files.isWritable(file)) {
            throw fail(option + " " + file + ": exists and is not writable");
        }
        writableParent(option, file);
    }

    /** A directory to create: it must not exist, its parent must. */
    void newDirectory(String option, Path dir) {
        if (dir.toString().isEmpty()) {
            throw fail(option + ": empty path; give a directory to create");
        }
        if (Files.exists(dir)) {
            throw fail(option + " " + dir + ": already exists; choose another or remove it");
        }
        writableParent(option, dir);
    }

    private void writableParent(String option, Path path) {
        Path parent = path.toAbsolutePath().getParent();
        if (parent == null) {
            throw fail(option + " " + path + ": has no parent directory to write in");
        }
        if (!Files.isDirectory(parent)) {
            throw fail(option + " " + path + ": " + (Files.exists(parent) ? parent + " is a file, not a directory"
                    : "the directory " + parent + " does not exist"));
        }
        if (!Files.isWritable(parent)) {
            throw fail(option + " " + path + ": the directory " + parent + " is not writable");
        }
    }

    /** Prompt ids: at least one, each inside the model's vocabulary. */
    void tokenIds(String option, int[] ids, ModelConfig c, Path modelDir) {
        if (ids.length == 0) {
            throw fail(option + ": no tokens; give at least one");
        }
        for (int id : ids) {
            if (id < 0 || id >= c.vocabSize()) {
                throw fail(option + ": token id " + id + " is outside the vocabulary [0, " + c.vocabSize() + ") of "
                        + modelDir.resolve("config.json"));
            }
        }
    }

    /** A prompt of {@code promptTokens} plus {@code newTokens} fits the model's context. */
    void fits(String prompt, int promptTokens, String option, long newTokens, ModelConfig c, Path modelDir) {
        long total = promptTokens + newTokens;
        if (total > c.maxPositionEmbeddings()) {
            throw fail(prompt + " (" + promptTokens + (promptTokens == 1 ? " token) + " : " tokens) + ") + option + " " + newTokens + " = " + total
                    + " positions: more than the model's context of " + c.maxPositionEmbeddings() + " (max_position_embeddings in "
                    + modelDir.resolve("config.json") + ")");
        }
    }

    /** The engine's limit on {@code --threads} (as {@code WorkerPool} enforces it), checked before any thread starts. */
    static String threadsProblem(int threads) {
        int cpus = Runtime.getRuntime().availableProcessors();
        int max = WorkerPool.maxThreads(cpus);
        if (threads < 1 || threads > max) {
            return "--threads " + threads + ": must be from 1 to " + max + " (4 x " + cpus + " available processors, at most "
                    + WorkerPool.MAX_THREADS + ")";
        }
        return null;
    }

    private static String listing(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return String.join(", ", s.map(p -> p.getFileName().toString()).sorted().limit(12).toList());
        } catch (IOException e) {
            return "not readable: " + e.getMessage();
        }
    }
}
