// The footprints partial-order reduction trusts (explorer/por.ts) are the ones the steps and
// properties declare. checkFootprints runs every scenario with every access to the global
// components recorded, and lists each step or property that touched a component it does not
// declare. Every scenario small enough for the suite, both protocols, and the classic models.

import { describe, expect, it } from 'vitest';
import { checkFootprints } from '../../explorer/footprint-check.ts';
import { REPEATABLE_SCENARIOS } from '../repeatable-scenarios.ts';
import { MUTANTS, mutantModel } from '../../invariants/mutants.ts';


describe('declared footprints cover what steps and properties touch', () => {
  for (const scenario of REPEATABLE_SCENARIOS) {
    for (const protocol of scenario.protocols) {
      it(`${scenario.name} / ${protocol.name}`, () => {
        expect(scenario.build(protocol.name).use((m) => checkFootprints(m))).toEqual([]);
      });
    }
  }
});

// A mutant's patched steps declare '*' unless the patch restates their footprint (patch.ts):
// the old declarations describe the old code (xe-chunk-ignores-ranges reads every component).
describe('declared footprints of every mutant cover what it touches', () => {
  for (const mutant of MUTANTS) {
    it(`${mutant.name} (${mutant.protocol})`, () => {
      expect(checkFootprints(mutantModel(mutant))).toEqual([]);
    });
  }
});

describe('the footprint check can fail', () => {
  it('reports a step that touches a component it does not declare', () => {
    const model = {
      name: 'undeclared',
      processes: [
        {
          name: 'p',
          program: { name: 'p', start: 'a', steps: [{ label: 'a', kernelFn: 'f', reads: ['x'], effect: (g: { x: number; y: number }) => void (g.y = g.x + 1), next: 'done' }] },
          locals: {},
        },
      ],
      initial: [{ x: 0, y: 0 }],
    };
    expect(checkFootprints(model)).toEqual(['p/a reads y without declaring it', 'p/a writes y without declaring it']);
  });
});
