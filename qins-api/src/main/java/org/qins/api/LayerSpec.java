package org.qins.api;

/**
 * The shape of a linear layer: {@code y = W x} with {@code W} of {@code outFeatures x inFeatures}
 * (row-major, the PyTorch {@code nn.Linear} convention).
 *
 * @param name        base name of the weight in the checkpoint, for error messages and logs
 * @param outFeatures rows of W
 * @param inFeatures  columns of W
 */
public record LayerSpec(String name, int outFeatures, int inFeatures) {

    public LayerSpec {
        if (outFeatures <= 0 || inFeatures <= 0) {
            throw new IllegalArgumentException("layer '" + name + "': bad shape " + outFeatures + "x" + inFeatures);
        }
    }

    public long parameters() {
        return (long) outFeatures * inFeatures;
    }

    /** Checks that a stored 2-D tensor has this shape. */
    public void checkShape(TensorView t) {
        if (t.rank() != 2 || t.dim(0) != outFeatures || t.dim(1) != inFeatures) {
            throw new IllegalArgumentException("layer '" + name + "': tensor " + t + " does not have shape ["
                    + outFeatures + ", " + inFeatures + "]");
        }
    }
}
