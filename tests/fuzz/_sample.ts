import fc from "fast-check";
import { caseRecipe } from "./case_arbitraries.ts";
import { materializeCase } from "./materialize_case.ts";
const samples = fc.sample(caseRecipe(), { seed: 1, numRuns: 20 });
for (const r of samples) {
  const c = materializeCase(r);
  const bytes = c.steps.flatMap((s) => s.requests).reduce((a, q) => a + q.body.length, 0);
  const verdicts: Record<string, number> = {};
  for (const s of c.steps) {
    for (const q of s.requests) {
      for (const i of q.items) verdicts[i.verdict] = (verdicts[i.verdict] ?? 0) + 1;
    }
  }
  console.log(c.steps.length, c.items, bytes, JSON.stringify(verdicts));
}
const c = materializeCase(samples[3]!);
console.log(new TextDecoder().decode(c.steps[0]!.requests[0]!.body).slice(0, 1500));
