// The self-check (explorer/self-check.ts): on every scenario small enough to run three times,
// authoring mode, fast mode and the exact-key engine agree exactly. And the check can fail: a
// model whose own fast key merges states is caught by the exact engine.

import { describe, expect, it } from 'vitest';
import { selfCheck } from '../../explorer/index.ts';
import { REPEATABLE_SCENARIOS } from '../repeatable-scenarios.ts';
import { lossyKeyModel } from '../fixtures/engine-models.ts';


describe('authoring, fast and exact engines agree exactly', () => {
  for (const scenario of REPEATABLE_SCENARIOS) {
    for (const protocol of scenario.protocols) {
      it(`${scenario.name} / ${protocol.name}`, () => {
        const check = scenario.build(protocol.name).use((m) => selfCheck(m));
        expect(check.differences).toEqual([]);
        expect(check.runs.map((r) => r.mode)).toEqual(['authoring', 'fast', 'exact']);
      });
    }
  }
});

describe('the self-check can fail', () => {
  // Two counters counting to 2; a "fast" key that looks only at the first counter merges states
  // that differ in the second. Fingerprint engines trust the key; the exact engine does not.
  const model = lossyKeyModel();

  it('reports the states a lossy key merged', () => {
    const check = selfCheck(model);
    // By hand: each counter is 0, 1 or 2, so 9 states; the lossy key sees only 3.
    expect(check.runs.map((r) => r.states)).toEqual([3, 3, 9]);
    expect(check.differences[0]).toBe('states: authoring 3, fast 3, exact 9');
  });
});
