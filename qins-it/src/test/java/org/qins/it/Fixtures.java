package org.qins.it;

import java.nio.file.Path;

/** The reference fixtures copied into test resources (from ../shared/fixtures, produced by HF transformers). */
final class Fixtures {

    private Fixtures() {
    }

    static Path dir(String name) {
        return Path.of(System.getProperty("qins.fixtures", "src/test/resources/fixtures"), name);
    }
}
