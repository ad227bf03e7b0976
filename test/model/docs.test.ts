// docs/model.md maps every step of every program to its kernel function; this keeps it true.
// Regenerate the tables with `svmcheck steps --markdown` when a step changes.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { svmModel } from '../../model/build.ts';
import { PROTOCOLS } from '../../model/drivers/index.ts';
import { SVM_SCENARIOS } from '../../model/scenarios/configs.ts';
import { driversFor } from '../../model/scenarios/index.ts';

const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'model.md'), 'utf8');

describe('docs/model.md', () => {
  it.each(PROTOCOLS.map((p) => p.name))('%s: every step of every program is in the step reference', (protocol) => {
    const missing = new Set<string>();
    for (const s of SVM_SCENARIOS.filter((x) => driversFor(x).some((d) => d.name === protocol))) {
      for (const p of svmModel(s.name, s.config, protocol).processes) {
        for (const step of p.program.steps) {
          if (!doc.includes(`| \`${step.label}\` | \`${step.kernelFn}\` |`)) missing.add(`${p.program.name}/${step.label}`);
        }
      }
    }
    expect([...missing]).toEqual([]);
  });

  it('ends with the step reference `npm run docs` generates, sources included', async () => {
    const { stepReference } = await import('../../bin/update-docs.ts');
    expect(doc.slice(doc.indexOf('## Step reference'))).toBe(stepReference());
  });
});

describe('docs/invariants.md', () => {
  it('is what `svmcheck list invariants --markdown` generates from the code', async () => {
    const { catalogue } = await import('../../cli/catalogue.ts');
    const { invariantsMarkdown } = await import('../../cli/invariants-doc.ts');
    const file = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'invariants.md'), 'utf8');
    expect(file).toBe(invariantsMarkdown(catalogue()));
  });
});
