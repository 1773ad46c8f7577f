package org.qins.tools.validate;

import java.util.List;
import java.util.Map;

/**
 * The content of an {@code llm-ref/1} file (a reference or a candidate: same schema).
 *
 * @param source  free-form producer description
 * @param model   informative model description
 * @param exact   may be null
 */
public record LlmRef(Map<String, Object> source, Map<String, Object> model, int nSteps, int topK, int logitDecimals,
        List<PromptRecord> prompts, ExactRows exact) {

    public static final String FORMAT = "llm-ref/1";

    public LlmRef {
        prompts = List.copyOf(prompts);
    }
}
