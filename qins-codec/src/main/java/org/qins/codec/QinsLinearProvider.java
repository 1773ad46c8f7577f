package org.qins.codec;

import org.qins.api.EncodeOptions;
import org.qins.api.LayerContext;
import org.qins.api.LayerSpec;
import org.qins.api.LinearLayer;
import org.qins.api.LinearLayerProvider;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;

/**
 * Pattern A (codec-at-rest). Loads qins9, qins8 and qins8-seed weights from their stored parts,
 * and float weights (f32, f16, bf16) by encoding them at load with {@link QinsFormat#DEFAULTS}.
 * Encode options: {@code layout} (qins9|qins8|qins8-seed), {@code group} (tensor|row|N),
 * {@code policy} (minmax|clipped|mse), {@code width} (octaves, clipped), {@code below} (zero|clamp|nearest),
 * {@code scales} (f16|f32), {@code fit} (max|mse: how a clipped group's scale is chosen).
 */
public final class QinsLinearProvider implements LinearLayerProvider {

    public static final String NAME = "qins";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 30;
    }

    @Override
    public String description() {
        return "Pattern A (codec-at-rest): QINS codes resident, decoded inside the matmul";
    }

    @Override
    public boolean supports(String storedFormat) {
        return switch (storedFormat) {
            case "f32", "f16", "bf16", "qins9", "qins8", "qins8-seed" -> true;
            default -> false;
        };
    }

    @Override
    public LinearLayer load(LayerSpec spec, StoredWeight stored, LayerContext context) {
        return new QinsLinear(spec, tensorOf(spec, stored), context);
    }

    /** The resident encoded tensor of a stored weight (float weights are encoded with the defaults). */
    public static QinsTensor tensorOf(LayerSpec spec, StoredWeight stored) {
        if (stored.isFloat()) {
            TensorView w = stored.part(StoredWeight.WEIGHT);
            spec.checkShape(w);
            return QinsCodec.encode(spec.name(), w, QinsFormat.DEFAULTS);
        }
        return QinsTensor.fromStored(spec, stored);
    }

    @Override
    public boolean canEncode() {
        return true;
    }

    @Override
    public StoredWeight encode(LayerSpec spec, TensorView weight, EncodeOptions options) {
        spec.checkShape(weight);
        if (!weight.dtype().isFloat()) {
            throw new IllegalArgumentException("layer '" + spec.name() + "': cannot encode " + weight + ", not a float tensor");
        }
        QinsFormat format;
        try {
            format = QinsFormat.fromOptions(options);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("layer '" + spec.name() + "': " + e.getMessage(), e);
        }
        return QinsCodec.encode(spec.name(), weight, format).toStored();
    }

    @Override
    public TensorView decode(LayerSpec spec, StoredWeight stored) {
        if (stored.isFloat()) {
            TensorView w = stored.part(StoredWeight.WEIGHT);
            return w.asF32();
        }
        return QinsCodec.decodeToView(QinsTensor.fromStored(spec, stored));
    }
}
