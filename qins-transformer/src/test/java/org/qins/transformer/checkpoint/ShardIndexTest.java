package org.qins.transformer.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qins.api.TensorView;

/** model.safetensors.index.json: one broken index per rule, refused naming the index file and the tensor. */
class ShardIndexTest {

    private static final String A = "model-00001-of-00002.safetensors";
    private static final String B = "model-00002-of-00002.safetensors";

    @TempDir
    Path dir;

    @BeforeEach
    void twoShards() {
        try (SafetensorsWriter w = new SafetensorsWriter(dir.resolve(A))) {
            w.add("x", TensorView.ofFloats("x", new float[] {1f, 2f}, 2));
        }
        try (SafetensorsWriter w = new SafetensorsWriter(dir.resolve(B))) {
            w.add("y", TensorView.ofFloats("y", new float[] {3f}, 1));
        }
    }

    private AbstractThrowableAssert<?, ? extends Throwable> refused(String index) throws IOException {
        Files.writeString(dir.resolve(Checkpoint.INDEX_FILE), index);
        return assertThatThrownBy(() -> Checkpoint.open(dir).close()).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(Checkpoint.INDEX_FILE);
    }

    @Test
    void aCompleteIndexOpens() throws IOException {
        Files.writeString(dir.resolve(Checkpoint.INDEX_FILE), "{\"metadata\": {\"total_size\": 12}, \"weight_map\": {\"x\": \"" + A
                + "\", \"y\": \"" + B + "\"}}");
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertThat(c.tensorNames()).containsExactly("x", "y");
        }
    }

    @Test
    void theIndexMustBeJson() throws IOException {
        refused("{\"weight_map\": ").hasMessageContaining("cannot read");
        refused("{\"weight_map\": {\"x\": \"" + A + "\", \"x\": \"" + A + "\"}}").hasMessageContaining("Duplicate");
    }

    @Test
    void theIndexNeedsAWeightMapObject() throws IOException {
        refused("{}").hasMessageContaining("needs a \"weight_map\" object");
        refused("{\"weight_map\": [\"x\"]}").hasMessageContaining("needs a \"weight_map\" object");
        refused("[]").hasMessageContaining("needs a \"weight_map\" object");
        refused("{\"weight_map\": {}}").hasMessageContaining("weight_map lists no tensors");
    }

    @Test
    void entriesMustBeShardFileNames() throws IOException {
        refused("{\"weight_map\": {\"x\": 1}}").hasMessageContaining("weight_map entry of tensor 'x' must be a shard file name string, got NUMBER");
        refused("{\"weight_map\": {\"x\": null}}").hasMessageContaining("tensor 'x' must be a shard file name string, got NULL");
        refused("{\"weight_map\": {\"x\": \"../evil.safetensors\"}}").hasMessageContaining("tensor 'x' names an unsafe shard path");
        refused("{\"weight_map\": {\"x\": \"\"}}").hasMessageContaining("unsafe shard path ''");
    }

    @Test
    void namedShardsMustExist() throws IOException {
        refused("{\"weight_map\": {\"x\": \"" + A + "\", \"y\": \"model-00003.safetensors\"}}")
                .hasMessageContaining("tensor 'y' names shard model-00003.safetensors, which does not exist");
    }

    @Test
    void everyListedTensorIsInItsShard() throws IOException {
        refused("{\"weight_map\": {\"x\": \"" + B + "\", \"y\": \"" + B + "\"}}")
                .hasMessageContaining("tensor 'x' should be in " + B + " but no shard has it");
        refused("{\"weight_map\": {\"x\": \"" + A + "\", \"y\": \"" + A + "\"}}")
                .hasMessageContaining("tensor 'y' should be in " + A + " but no shard has it");
        refused("{\"weight_map\": {\"x\": \"" + A + "\", \"y\": \"" + B + "\", \"z\": \"" + B + "\"}}")
                .hasMessageContaining("tensor 'z' should be in " + B + " but no shard has it");
    }

    @Test
    void everyTensorOfTheShardsIsListed() throws IOException {
        try (SafetensorsWriter w = new SafetensorsWriter(dir.resolve(B))) {
            w.add("y", TensorView.ofFloats("y", new float[] {3f}, 1));
            w.add("extra", TensorView.ofFloats("extra", new float[] {4f}, 1));
        }
        refused("{\"weight_map\": {\"x\": \"" + A + "\", \"y\": \"" + B + "\"}}")
                .hasMessageContaining("weight_map does not list 1 tensor(s) of the shards: [extra (in " + B + ")]");
    }
}
