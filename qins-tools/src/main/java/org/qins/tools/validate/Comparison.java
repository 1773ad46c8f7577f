package org.qins.tools.validate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Scores a candidate against a reference exactly as the fixtures' {@code compare.py} does:
 * greedy match rate and first divergence, teacher-forced top-1 agreement, top-10 overlap, KL
 * estimated from the top lists plus one tail bucket, and the exact-row logit difference.
 */
public final class Comparison {

    private Comparison() {
    }

    public static CompareMetrics compare(LlmRef ref, LlmRef cand) {
        if (cand.prompts().size() != ref.prompts().size()) {
            throw new IllegalArgumentException("candidate has " + cand.prompts().size() + " prompts, reference " + ref.prompts().size());
        }
        int n = ref.nSteps();
        List<PromptMetrics> per = new ArrayList<>();
        long totMatch = 0;
        long tfN = 0;
        long tfTop1 = 0;
        double top10Sum = 0;
        double klSum = 0;
        double klMax = 0;
        double tailSum = 0;
        double tfLogitMax = 0;
        double tfLseMax = 0;
        double gLogitMax = 0;
        for (int pi = 0; pi < ref.prompts().size(); pi++) {
            PromptRecord rp = ref.prompts().get(pi);
            PromptRecord cp = cand.prompts().get(pi);
            if (!java.util.Arrays.equals(rp.prompt(), cp.prompt())) {
                throw new IllegalArgumentException("prompt " + pi + ": candidate prompt differs from the reference's");
            }
            int[] rt = rp.greedyTokens();
            int[] ct = cp.greedyTokens();
            int match = 0;
            int first = n;
            for (int i = 0; i < n; i++) {
                boolean same = i < ct.length && ct[i] == rt[i];
                match += same ? 1 : 0;
                if (!same && first == n) {
                    first = i;
                }
            }
            double margin = Double.NaN;
            if (first < n && first < rp.greedySteps().size()) {
                double[] l = rp.greedySteps().get(first).logits();
                margin = l[0] - l[1];
            }
            for (int i = 0; i < Math.min(Math.min(first + 1, n), Math.min(cp.greedySteps().size(), rp.greedySteps().size())); i++) {
                double d = commonLogitDiff(rp.greedySteps().get(i), cp.greedySteps().get(i), 10);
                if (!Double.isNaN(d)) {
                    gLogitMax = Math.max(gLogitMax, d);
                }
            }
            totMatch += match;
            if (!java.util.Arrays.equals(rp.teacherTokens(), cp.teacherTokens())) {
                throw new IllegalArgumentException("prompt " + pi + ": candidate teacher_forced.tokens differ from the reference's");
            }
            if (rp.teacherRows().size() != cp.teacherRows().size()) {
                throw new IllegalArgumentException("prompt " + pi + ": candidate has " + cp.teacherRows().size()
                        + " teacher-forced positions, reference " + rp.teacherRows().size());
            }
            int m = rp.teacherRows().size();
            int pTop1 = 0;
            double pKl = 0;
            double pKlMax = 0;
            for (int t = 0; t < m; t++) {
                LogitRow a = rp.teacherRows().get(t);
                LogitRow b = cp.teacherRows().get(t);
                pTop1 += a.ids()[0] == b.ids()[0] ? 1 : 0;
                top10Sum += overlap(a, b, 10) / 10.0;
                double[] kl = klEstimate(a, b);
                pKl += kl[0];
                pKlMax = Math.max(pKlMax, kl[0]);
                tailSum += kl[1];
                double d = commonLogitDiff(a, b, 10);
                if (!Double.isNaN(d)) {
                    tfLogitMax = Math.max(tfLogitMax, d);
                }
                tfLseMax = Math.max(tfLseMax, Math.abs(a.lse() - b.lse()));
            }
            per.add(new PromptMetrics(rp.prompt().length, (double) match / n, first, margin, (double) pTop1 / m, pKl / m, pKlMax));
            tfN += m;
            tfTop1 += pTop1;
            klSum += pKl;
            klMax = Math.max(klMax, pKlMax);
        }
        return new CompareMetrics(per, (double) totMatch / ((long) n * ref.prompts().size()), (double) tfTop1 / tfN,
                top10Sum / tfN, klSum / tfN, klMax, tailSum / tfN, tfLogitMax, tfLseMax, gLogitMax, exactDiff(ref, cand), tfN);
    }

    /**
     * KL(P_ref || P_cand) over the reference's top-m ids plus one tail bucket (m = the shorter list);
     * an id missing from the candidate's list takes the candidate's smallest listed logit.
     * Returns {kl, reference tail mass}.
     */
    public static double[] klEstimate(LogitRow rp, LogitRow cp) {
        Map<Integer, Double> cand = new HashMap<>();
        double floor = Double.POSITIVE_INFINITY;
        for (int i = 0; i < cp.size(); i++) {
            cand.put(cp.ids()[i], cp.logits()[i]);
            floor = Math.min(floor, cp.logits()[i]);
        }
        int m = Math.min(rp.size(), cp.size());
        double kl = 0;
        double sp = 0;
        double sq = 0;
        for (int i = 0; i < m; i++) {
            double lp = rp.logits()[i] - rp.lse();
            double lq = cand.getOrDefault(rp.ids()[i], floor) - cp.lse();
            double p = Math.exp(lp);
            kl += p * (lp - lq);
            sp += p;
            sq += Math.exp(lq);
        }
        double pt = Math.max(0.0, 1.0 - sp);
        double qt = Math.max(1e-12, 1.0 - sq);
        if (pt > 1e-12) {
            kl += pt * Math.log(pt / qt);
        }
        return new double[] {Math.max(0.0, kl), pt};
    }

    private static int overlap(LogitRow a, LogitRow b, int k) {
        Set<Integer> s = new HashSet<>();
        for (int i = 0; i < Math.min(k, a.size()); i++) {
            s.add(a.ids()[i]);
        }
        Set<Integer> t = new HashSet<>();
        for (int i = 0; i < Math.min(k, b.size()); i++) {
            t.add(b.ids()[i]);
        }
        s.retainAll(t);
        return s.size();
    }

    /** Max |logit diff| over the reference's top-k ids that the candidate lists too; NaN if none. */
    private static double commonLogitDiff(LogitRow rp, LogitRow cp, int k) {
        Map<Integer, Double> cand = new HashMap<>();
        for (int i = 0; i < cp.size(); i++) {
            cand.put(cp.ids()[i], cp.logits()[i]);
        }
        double max = Double.NaN;
        for (int i = 0; i < Math.min(k, rp.size()); i++) {
            Double c = cand.get(rp.ids()[i]);
            if (c != null) {
                double d = Math.abs(rp.logits()[i] - c);
                max = Double.isNaN(max) ? d : Math.max(max, d);
            }
        }
        return max;
    }

    private static double exactDiff(LlmRef ref, LlmRef cand) {
        ExactRows re = ref.exact();
        ExactRows ce = cand.exact();
        if (re == null || ce == null || ce.logits().length == 0) {
            return Double.NaN;
        }
        if (re.promptIndex() != ce.promptIndex() || !java.util.Arrays.equals(re.positions(), ce.positions())) {
            throw new IllegalArgumentException("candidate exact section covers other positions than the reference's");
        }
        double max = 0;
        for (int r = 0; r < re.logits().length; r++) {
            float[] a = re.logits()[r];
            float[] b = ce.logits()[r];
            if (a.length != b.length) {
                throw new IllegalArgumentException("exact row has " + b.length + " logits, reference " + a.length);
            }
            for (int i = 0; i < a.length; i++) {
                max = Math.max(max, Math.abs((double) a[i] - b[i]));
            }
        }
        return max;
    }
}
