// Prints scenario, protocol, states, verdict, violated invariants with trace lengths.
import { explore } from './explorer/index.ts';
import { svmModel } from './model/build.ts';
import { SVM_SCENARIOS } from './model/scenarios/configs.ts';
const protos = (s: { name: string }): string[] => {
  try {
    // new layout
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (globalThis as any).__drivers(s);
  } catch { return ['amdgpu-v3', 'xe']; }
};
const mod = await import('./model/scenarios/index.ts').catch(() => ({}));
const driversFor = (mod as any).driversFor as undefined | ((s: unknown) => { name: string }[]);
for (const s of SVM_SCENARIOS.filter((x) => !x.large)) {
  for (const p of driversFor ? driversFor(s).map((d) => d.name) : ['amdgpu-v3', 'xe']) {
    const t = Date.now();
    const r = explore(svmModel(s.name, s.config, p as never), { stopAtFirstViolation: false, ...(s.expectedUntaken ? { expectedUntaken: s.expectedUntaken } : {}) });
    const v = r.violations.map((x) => `${x.invariant}(${x.trace.steps.length})`).sort().join(' ');
    console.log([s.name, p, r.states, r.incomplete ? 'incomplete' : r.violations.length ? 'violation' : 'pass', v || '-', `${((Date.now() - t) / 1000).toFixed(0)}s`].join('\t'));
  }
}
void protos;
