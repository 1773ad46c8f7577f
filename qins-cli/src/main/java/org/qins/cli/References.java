package org.qins.cli;

import java.nio.file.Path;
import org.qins.tools.validate.LlmRef;
import org.qins.tools.validate.PromptRecord;
import org.qins.tools.validate.ReferenceFile;
import org.qins.transformer.config.ModelConfig;

/** An llm-ref/1 file given as an option, read and checked against the model before the model loads. */
final class References {

    private References() {
    }

    /** The reference in {@code file}; its token ids must be in the model's vocabulary, its prompts and steps fit the context. */
    static LlmRef read(Checks check, String option, Path file, ModelConfig config, Path modelDir) {
        check.inputFile(option, file);
        LlmRef ref = ReferenceFile.read(file);
        if (ref.nSteps() < 0) {
            throw check.fail(option + " " + file + ": n_steps " + ref.nSteps() + " is negative");
        }
        for (int i = 0; i < ref.prompts().size(); i++) {
            PromptRecord p = ref.prompts().get(i);
            String what = option + " " + file + ": prompt " + i;
            check.tokenIds(what, p.prompt(), config, modelDir);
            check.fits(what, p.prompt().length, "n_steps", ref.nSteps(), config, modelDir);
            if (p.teacherTokens().length > 0) {
                check.tokenIds(what + " teacher_forced tokens", p.teacherTokens(), config, modelDir);
                check.fits(what + " teacher_forced tokens", p.teacherTokens().length, "no new tokens", 0, config, modelDir);
            }
        }
        return ref;
    }
}
