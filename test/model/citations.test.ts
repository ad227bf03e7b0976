// Every step of every program cites the source lines it stands for (docs/model.md's step
// reference prints them), or says why no source text covers it. A citation names a posted
// patch by its Message-ID or a kernel file as `path@commit`, the function, and quotes lines.

import { describe, expect, it } from 'vitest';
import { svmModel } from '../../model/build.ts';
import { PROTOCOLS } from '../../model/drivers/index.ts';
import { SVM_SCENARIOS } from '../../model/scenarios/configs.ts';
import { driversFor } from '../../model/scenarios/index.ts';

const MESSAGE_ID = /^<[^<>\s]+@[^<>\s]+>$/;
const FILE_AT_COMMIT = /^([\w.-]+\/[\w.-]+:)?[\w./-]+\.[ch]@[0-9a-f]{40}$/;

describe.each(PROTOCOLS.map((p) => p.name))('%s', (protocol) => {
  const steps = SVM_SCENARIOS.filter((s) => driversFor(s).some((d) => d.name === protocol)).flatMap((s) =>
    svmModel(s.name, s.config, protocol).processes.flatMap((p) => p.program.steps.map((step) => ({ where: `${s.name}: ${p.program.name}/${step.label}`, step }))),
  );

  it('every step cites its source or says why it has none', () => {
    expect(steps.length).toBeGreaterThan(50);
    expect(steps.filter(({ step }) => (step.cite ?? []).length === 0 && !step.unsourced).map((x) => x.where)).toEqual([]);
  });

  it('every citation names a Message-ID or path@commit, a function, and quotes lines', () => {
    const bad = steps.flatMap(({ where, step }) =>
      (step.cite ?? []).filter((c) => !(MESSAGE_ID.test(c.ref) || FILE_AT_COMMIT.test(c.ref)) || c.fn.trim() === '' || c.quote.trim() === '').map((c) => `${where}: ${c.ref} ${c.fn}`),
    );
    expect(bad).toEqual([]);
  });
});
