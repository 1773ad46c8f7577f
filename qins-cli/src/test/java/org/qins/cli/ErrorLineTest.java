package org.qins.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.qins.transformer.checkpoint.CheckpointException;

/** Our errors print their message on one line; anything else is called a bug, with its class and how to get the stack trace. */
class ErrorLineTest {

    @Test
    void ourErrorsPrintTheirMessageOnOneLine() {
        assertThat(ErrorLine.of(new CheckpointException("m.safetensors: tensor 'x' is I32"))).isEqualTo("m.safetensors: tensor 'x' is I32");
        assertThat(ErrorLine.of(new IllegalArgumentException("unknown option 'x'\n  valid: a, b\n"))).isEqualTo("unknown option 'x'; valid: a, b");
        assertThat(ErrorLine.of(new UncheckedIOException("cannot write f.json: disk full", new java.io.IOException("disk full"))))
                .isEqualTo("cannot write f.json: disk full");
    }

    @Test
    void fileErrorsNameTheFile() {
        assertThat(ErrorLine.of(new NoSuchFileException("/m/prompts.txt"))).isEqualTo("/m/prompts.txt: no such file or directory");
        assertThat(ErrorLine.of(new UncheckedIOException(new java.nio.file.AccessDeniedException("/m/config.json"))))
                .isEqualTo("/m/config.json: permission denied");
        assertThat(ErrorLine.of(new java.nio.file.FileSystemException("/m", null, "Is a directory"))).isEqualTo("/m: Is a directory");
    }

    @Test
    void wrappersGiveWayToTheirCause() {
        assertThat(ErrorLine.of(new ExecutionException(new IllegalStateException("the server stopped")))).isEqualTo("the server stopped");
        assertThat(ErrorLine.of(new RuntimeException(new CheckpointException("bad header")))).isEqualTo("bad header");
    }

    @Test
    void anythingElseIsReportedAsABug() {
        assertThat(ErrorLine.of(new ArithmeticException("/ by zero"))).isEqualTo("internal error (a bug in qins): "
                + "java.lang.ArithmeticException: / by zero; " + ErrorLine.DEBUG_HINT + ", and please report it");
        assertThat(ErrorLine.of(new IndexOutOfBoundsException("Index 0 out of bounds for length 0")))
                .startsWith("internal error (a bug in qins): java.lang.IndexOutOfBoundsException: Index 0 out of bounds");
        assertThat(ErrorLine.of(new NullPointerException())).startsWith("internal error (a bug in qins): java.lang.NullPointerException;")
                .contains("-Dqins.debug=true");
        assertThat(ErrorLine.of(new IllegalArgumentException())).startsWith("internal error (a bug in qins): java.lang.IllegalArgumentException;");
        assertThat(ErrorLine.of(new NumberFormatException("For input string: \"x\""))).startsWith("internal error");
        assertThat(ErrorLine.of(new OutOfMemoryError("Java heap space"))).startsWith("out of memory (Java heap space)")
                .contains("QINS_JAVA_OPTS=-Xmx");
    }

    @Test
    void theDebugPropertyAddsTheStackTrace(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
        StringWriter err = new StringWriter();
        System.setProperty("qins.debug", "true");
        try {
            int rc = QinsCommand.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "convert", "--model",
                    CompareCommandTest.LLAMA.toString(), "--output", tmp.resolve("x").toString(), "--format", "nonesuch");
            assertThat(rc).isEqualTo(1);
        } finally {
            System.clearProperty("qins.debug");
        }
        assertThat(err.toString()).startsWith("qins: no weight format named 'nonesuch'").contains("\tat org.qins.");
    }
}
