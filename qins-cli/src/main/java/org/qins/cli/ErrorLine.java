package org.qins.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The one line a failed command prints. Our errors (the engine's exception types, and argument,
 * state and I/O errors, which carry messages that name the file or option) print their message;
 * anything else (a NullPointerException, an ArithmeticException, an exception without a message) is
 * a bug and is reported as one, with its class and how to see the stack trace.
 */
final class ErrorLine {

    static final String DEBUG_HINT = "rerun with QINS_JAVA_OPTS=-Dqins.debug=true for the stack trace";

    private ErrorLine() {
    }

    static String of(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof OutOfMemoryError) {
            return "out of memory (" + t.getMessage() + "): this needs more heap than the JVM has (" + Runtime.getRuntime().maxMemory()
                    / (1 << 20) + " MiB); give it more with QINS_JAVA_OPTS=-Xmx<size>, or ask for less";
        }
        if (t instanceof FileSystemException f) {
            return fileError(f);
        }
        String message = t.getMessage() == null ? "" : oneLine(t.getMessage());
        if (ours(t) && !message.isBlank()) {
            return message;
        }
        if (t instanceof IOException && message.isBlank()) {
            return "input/output error (" + t.getClass().getSimpleName() + ")";
        }
        return "internal error (a bug in qins): " + t.getClass().getName() + (message.isBlank() ? "" : ": " + message) + "; "
                + DEBUG_HINT + ", and please report it";
    }

    /** Wrappers that say nothing themselves give way to their cause. */
    static Throwable unwrap(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            Throwable c = t.getCause();
            boolean wrapper = t instanceof ExecutionException || t instanceof CompletionException
                    || t instanceof InvocationTargetException || t instanceof UndeclaredThrowableException
                    || c.toString().equals(t.getMessage()) || t.getMessage() == null;
            if (!wrapper) {
                break;
            }
            t = c;
        }
        return t;
    }

    private static boolean ours(Throwable t) {
        return t.getClass().getName().startsWith("org.qins.")
                || (t instanceof IllegalArgumentException && !(t instanceof NumberFormatException))
                || t instanceof IllegalStateException || t instanceof UnsupportedOperationException
                || t instanceof IOException || t instanceof UncheckedIOException;
    }

    private static String fileError(FileSystemException f) {
        String file = f.getFile() == null ? "" : f.getFile() + (f.getOtherFile() == null ? "" : " -> " + f.getOtherFile()) + ": ";
        String what = switch (f) {
            case NoSuchFileException e -> "no such file or directory";
            case AccessDeniedException e -> "permission denied";
            case NotDirectoryException e -> "not a directory";
            case FileAlreadyExistsException e -> "already exists";
            case DirectoryNotEmptyException e -> "directory not empty";
            default -> f.getReason() != null ? f.getReason() : f.getClass().getSimpleName();
        };
        return file + what;
    }

    private static String oneLine(String s) {
        return s.strip().replaceAll("\\s*\\R\\s*", "; ");
    }
}
