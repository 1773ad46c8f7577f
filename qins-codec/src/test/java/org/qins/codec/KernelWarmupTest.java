package org.qins.codec;

import static org.assertj.core.api.Assertions.assertThatCode;

import org.junit.jupiter.api.Test;

/** The warm-up's shapes and batches reach every kernel entry point without failing, for each table layout. */
class KernelWarmupTest {

    @Test
    void warmupRunsEveryPathOfEachLayout() {
        for (QinsFormat format : new QinsFormat[] {QinsFormat.DEFAULTS, QinsFormat.fromOptions(new org.qins.api.EncodeOptions(java.util.Map.of("layout", "qins8")))}) {
            assertThatCode(() -> KernelWarmup.run(format)).as(format.toString()).doesNotThrowAnyException();
        }
    }
}
