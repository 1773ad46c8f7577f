package org.qins.transformer.chat;

import com.hubspot.jinjava.el.JinjavaNodePreProcessor;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.tree.Node;
import java.util.function.BiConsumer;

/**
 * Counts the nodes a render visits and watches its clock; past either limit it aborts the render
 * with {@link Exceeded}, an Error, because Jinjava turns exceptions inside a loop into collected
 * errors and keeps looping. {@link ChatTemplate#render} catches it and reports a TemplateException.
 */
final class RenderBudget implements BiConsumer<Node, JinjavaInterpreter> {

    /** Thrown through Jinjava to stop a render; never escapes {@link ChatTemplate}. */
    static final class Exceeded extends Error {
        private static final long serialVersionUID = 1L;

        Exceeded(String message) {
            super(message, null, false, false);
        }
    }

    private final JinjavaNodePreProcessor standard = new JinjavaNodePreProcessor();
    private final TemplateLimits limits;
    private final ThreadLocal<long[]> current = new ThreadLocal<>();

    RenderBudget(TemplateLimits limits) {
        this.limits = limits;
    }

    /** Starts counting for a render on this thread. */
    void start() {
        current.set(new long[] {0, System.nanoTime() + limits.maxMillis() * 1_000_000L});
    }

    void stop() {
        current.remove();
    }

    @Override
    public void accept(Node node, JinjavaInterpreter interpreter) {
        standard.accept(node, interpreter);
        long[] b = current.get();
        if (b == null) {
            return;
        }
        if (++b[0] > limits.maxSteps()) {
            throw new Exceeded("more than " + limits.maxSteps() + " template steps (loops too long)");
        }
        // Checked at every node: one visit can loop over up to maxItems elements without visiting another node.
        if (System.nanoTime() - b[1] > 0) {
            throw new Exceeded("rendering took longer than " + limits.maxMillis() + " ms");
        }
    }
}
