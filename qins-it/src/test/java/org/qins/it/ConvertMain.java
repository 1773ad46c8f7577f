package org.qins.it;

import java.nio.file.Path;
import java.util.Map;
import org.qins.it.thirdparty.BlockInt8Format;
import org.qins.transformer.convert.ConversionListener;
import org.qins.transformer.convert.ConversionOptions;
import org.qins.transformer.convert.ModelConverter;

/** Converts args[0] into args[1] with Q8_0; run in a forked JVM with a small heap by {@link ConverterMemoryTest}. */
public final class ConvertMain {

    private ConvertMain() {
    }

    public static void main(String[] args) {
        new ModelConverter(new BlockInt8Format.Q8_0(), ConversionOptions.of("q8_0", Map.of()))
                .convert(Path.of(args[0]), Path.of(args[1]), ConversionListener.NONE);
        System.out.println("peak-heap-ok");
    }
}
