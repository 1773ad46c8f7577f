package org.qins.tools.validate;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qins.tools.validate.CompareMetrics;
import org.qins.tools.validate.PromptMetrics;

/**
 * A validation report: the compare.py metrics of a candidate against a reference, optional
 * perplexities of both on a text, and the {@link Verdict}.
 *
 * @param reference    what the reference is (provider and KV cache, or a file)
 * @param candidate    what the candidate is
 * @param refPpl       the reference's perplexity on the text, or null
 * @param candPpl      the candidate's, or null
 */
public record CompareReport(String reference, String candidate, int steps, CompareMetrics metrics, Perplexity refPpl,
        Perplexity candPpl) {

    public Verdict verdict() {
        return Verdict.of(metrics);
    }

    /** The table (metric | value), one line per prompt's divergence, then the verdict line. */
    public void print(PrintWriter out) {
        CompareMetrics m = metrics;
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"reference", reference});
        rows.add(new String[] {"candidate", candidate});
        rows.add(new String[] {"prompts x greedy steps", m.prompts().size() + " x " + steps});
        rows.add(new String[] {"greedy match rate", f("%.4f", m.greedyMatchRate())});
        for (int i = 0; i < m.prompts().size(); i++) {
            PromptMetrics p = m.prompts().get(i);
            String div = p.firstDivergence() >= steps ? "none (" + steps + "/" + steps + ")"
                    : "step " + p.firstDivergence() + ", reference top1-top2 margin " + f("%.4f", p.refMarginAtDivergence());
            rows.add(new String[] {"  prompt " + i + " (" + p.promptLength() + " ids) first divergence", div});
        }
        rows.add(new String[] {"teacher-forced positions", String.format(Locale.ROOT, "%,d", m.teacherPositions())});
        rows.add(new String[] {"teacher-forced top-1 agreement", f("%.4f", m.teacherTop1())});
        rows.add(new String[] {"top-10 overlap", f("%.4f", m.teacherTop10Overlap())});
        rows.add(new String[] {"mean KL (nats)", f("%.3e", m.meanKl())});
        rows.add(new String[] {"max KL (nats)", f("%.3e", m.maxKl())});
        rows.add(new String[] {"max |dlogit| shared top-10", f("%.3e", m.teacherMaxLogitDiffTop10())});
        if (!Double.isNaN(m.exactMaxAbsLogitDiff())) {
            rows.add(new String[] {"max |dlogit| exact rows", f("%.3e", m.exactMaxAbsLogitDiff())});
        }
        rows.add(new String[] {"ref mass outside top-k", f("%.4f", m.refMeanTailMass())});
        if (refPpl != null && candPpl != null) {
            rows.add(new String[] {"perplexity reference", f("%.4f", refPpl.perplexity()) + " (" + refPpl.tokens() + " tokens)"});
            rows.add(new String[] {"perplexity candidate", f("%.4f", candPpl.perplexity()) + f(" (%+.2f %%)",
                    100 * (candPpl.perplexity() / refPpl.perplexity() - 1))});
        }
        int w = rows.stream().mapToInt(r -> r[0].length()).max().orElse(10);
        out.printf("%-" + w + "s | %s%n", "metric", "value");
        out.println("-".repeat(w) + "-|-" + "-".repeat(24));
        for (String[] r : rows) {
            out.printf("%-" + w + "s | %s%n", r[0], r[1]);
        }
        out.println(verdict().line());
        out.flush();
    }

    /** Every number, for {@code --json}. */
    public Map<String, Object> toJson() {
        CompareMetrics m = metrics;
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("reference", reference);
        j.put("candidate", candidate);
        j.put("steps", steps);
        j.put("greedy_match_rate", m.greedyMatchRate());
        j.put("teacher_forced_positions", m.teacherPositions());
        j.put("teacher_forced_top1", m.teacherTop1());
        j.put("top10_overlap", m.teacherTop10Overlap());
        j.put("mean_kl", m.meanKl());
        j.put("max_kl", m.maxKl());
        j.put("ref_mean_tail_mass", m.refMeanTailMass());
        j.put("teacher_max_logit_diff_top10", num(m.teacherMaxLogitDiffTop10()));
        j.put("teacher_max_lse_diff", num(m.teacherMaxLseDiff()));
        j.put("greedy_max_logit_diff_before_divergence", num(m.greedyMaxLogitDiffBeforeDivergence()));
        j.put("exact_max_abs_logit_diff", num(m.exactMaxAbsLogitDiff()));
        List<Map<String, Object>> per = new ArrayList<>();
        for (PromptMetrics p : m.prompts()) {
            Map<String, Object> pm = new LinkedHashMap<>();
            pm.put("prompt_length", p.promptLength());
            pm.put("greedy_match_rate", p.greedyMatchRate());
            pm.put("first_divergence", p.firstDivergence());
            pm.put("ref_margin_at_divergence", num(p.refMarginAtDivergence()));
            pm.put("teacher_forced_top1", p.teacherTop1());
            pm.put("mean_kl", p.teacherMeanKl());
            pm.put("max_kl", p.teacherMaxKl());
            per.add(pm);
        }
        j.put("prompts", per);
        if (refPpl != null && candPpl != null) {
            j.put("perplexity_tokens", refPpl.tokens());
            j.put("perplexity_reference", refPpl.perplexity());
            j.put("perplexity_candidate", candPpl.perplexity());
            j.put("nll_reference", refPpl.nll());
            j.put("nll_candidate", candPpl.nll());
        }
        Verdict v = verdict();
        j.put("verdict", v.pass() ? "PASS" : "FAIL");
        j.put("verdict_failures", v.failures());
        j.put("verdict_rule", "PASS when teacher_forced_top1 >= " + Verdict.MIN_TOP1 + " and mean_kl <= " + Verdict.MAX_MEAN_KL);
        return j;
    }

    private static Object num(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? null : v;
    }

    private static String f(String fmt, double v) {
        return String.format(Locale.ROOT, fmt, v);
    }
}
