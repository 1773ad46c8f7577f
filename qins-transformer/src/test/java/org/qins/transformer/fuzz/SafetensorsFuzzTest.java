package org.qins.transformer.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.qins.api.TensorView;
import org.qins.transformer.checkpoint.Checkpoint;
import org.qins.transformer.checkpoint.CheckpointException;
import org.qins.transformer.checkpoint.FiniteCheck;
import org.qins.transformer.checkpoint.StoredFormats;

/**
 * Fuzzes the safetensors reader and the shard index: header JSON mutated and the file rebuilt with
 * a right or wrong size field and data buffer, raw byte mutations of whole files, mutated indexes
 * over two valid shards. Every accepted file's tensors are read at both ends and scanned.
 */
class SafetensorsFuzzTest {

    static final String[] KEYS = {"dtype", "shape", "data_offsets", "__metadata__", "format", "x", "y", "a.weight", "weight_map",
        "metadata", "total_size", "m.q_proj.codes", "m.q_proj.format"};
    private static final String SHARD_A = "model-00001-of-00002.safetensors";
    private static final String SHARD_B = "model-00002-of-00002.safetensors";

    static final class Target implements FuzzTarget {

        @Override
        public String name() {
            return "safetensors";
        }

        @Override
        public List<FuzzInput> corpus() {
            List<FuzzInput> out = new ArrayList<>();
            for (Path p : Corpus.files(name(), ".safetensors")) {
                out.add(FuzzInput.of(p.getFileName().toString(), Checkpoint.SINGLE_FILE, Corpus.read(p)));
            }
            for (Path p : Corpus.files(name(), ".index.json")) {
                out.add(new FuzzInput(p.getFileName().toString(), Map.of(Checkpoint.INDEX_FILE, Corpus.read(p),
                        SHARD_A, file("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]),
                        SHARD_B, file("{\"y\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]))));
            }
            return out;
        }

        @Override
        public FuzzInput mutate(Random r, FuzzInput seed, List<FuzzInput> corpus) {
            String origin = "mutated from " + seed.origin();
            if (seed.files().containsKey(Checkpoint.INDEX_FILE)) {
                String which = r.nextInt(5) == 0 ? (r.nextBoolean() ? SHARD_A : SHARD_B) : Checkpoint.INDEX_FILE;
                byte[] in = seed.files().get(which);
                byte[] json = which.equals(Checkpoint.INDEX_FILE) && r.nextInt(4) != 0 ? JsonMutations.mutate(r, in, KEYS) : null;
                return seed.with(origin, which, json != null ? json : which.equals(Checkpoint.INDEX_FILE)
                        ? ByteMutations.mutate(r, in, List.of(in)) : structural(r, in));
            }
            byte[] in = seed.files().get(Checkpoint.SINGLE_FILE);
            List<byte[]> others = corpus.stream().map(c -> c.files().get(Checkpoint.SINGLE_FILE)).filter(b -> b != null).toList();
            byte[] out = r.nextInt(100) < 55 ? structural(r, in) : ByteMutations.mutate(r, in, others);
            return FuzzInput.of(origin, Checkpoint.SINGLE_FILE, out);
        }

        /** Header mutated as JSON, then size field, padding and data buffer written back right or wrong. */
        static byte[] structural(Random r, byte[] in) {
            if (in.length < 8) {
                return ByteMutations.mutate(r, in, List.of(in));
            }
            long n = ByteBuffer.wrap(in).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            if (n < 2 || n > in.length - 8) {
                return ByteMutations.mutate(r, in, List.of(in));
            }
            byte[] header = java.util.Arrays.copyOfRange(in, 8, 8 + (int) n);
            byte[] data = java.util.Arrays.copyOfRange(in, 8 + (int) n, in.length);
            byte[] json = JsonMutations.mutate(r, header, KEYS);
            if (json == null) {
                json = ByteMutations.mutate(r, header, List.of(header));
            }
            if (r.nextInt(3) == 0) {
                json = ByteMutations.concat(json, " ".repeat(r.nextInt(9)).getBytes(StandardCharsets.US_ASCII));
            }
            long size = json.length;
            switch (r.nextInt(10)) {
                case 0 -> size += 1 + r.nextInt(16);
                case 1 -> size -= 1 + r.nextInt(16);
                case 2 -> size = new long[] {0, 1, -1, Long.MIN_VALUE, 100_000_001L, 1L << 40, json.length + data.length}[r.nextInt(7)];
                default -> { }
            }
            switch (r.nextInt(8)) {
                case 0 -> data = java.util.Arrays.copyOf(data, r.nextInt(data.length + 1));
                case 1 -> data = java.util.Arrays.copyOf(data, data.length + 1 + r.nextInt(16));
                case 2 -> data = ByteMutations.mutate(r, data, List.of(data));
                default -> { }
            }
            return file(size, json, data);
        }

        static byte[] file(String header, byte[] data) {
            byte[] json = header.getBytes(StandardCharsets.UTF_8);
            return file(json.length, json, data);
        }

        static byte[] file(long size, byte[] header, byte[] data) {
            return ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN).putLong(size).put(header)
                    .put(data).array();
        }

        @Override
        public void run(Path dir) {
            try (Checkpoint c = Checkpoint.open(dir)) {
                for (String name : c.tensorNames()) {
                    TensorView t = c.tensor(name);
                    long bytes = t.data().byteSize();
                    if (bytes > 0) {
                        t.data().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0);
                        t.data().get(java.lang.foreign.ValueLayout.JAVA_BYTE, bytes - 1);
                    }
                    if (t.dtype().isFloat() && t.elementCount() > 0) {
                        t.getFloat(t.elementCount() - 1);
                        FiniteCheck.firstBadWeight(t);
                    }
                    c.fileOf(name);
                }
                for (String key : c.metadata().keySet()) {
                    if (key.endsWith(".format") && !key.startsWith("qins.")) {
                        String base = key.substring(0, key.length() - ".format".length());
                        if (c.isEncoded(base) && StoredFormats.formatKey(base).equals(key)) {
                            c.linear(base);
                        }
                    }
                }
            }
        }

        @Override
        public Class<? extends RuntimeException> clearError() {
            return CheckpointException.class;
        }
    }

    @Test
    void theCorpusAndSeededMutationsEndAcceptedOrWithAClearError() {
        FuzzReport r = FuzzRunner.run(new Target(), FuzzRunner.seed(17), FuzzRunner.iterations(2000), 10_000);
        assertThat(r.findings()).isEmpty();
        assertThat(r.accepted()).isPositive();
        assertThat(r.refused()).isPositive();
    }
}
