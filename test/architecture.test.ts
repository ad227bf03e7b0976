// The arrow goes model -> explorer, never back: the engine imports nothing outside explorer/.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

describe('layout', () => {
  it('explorer/ imports only from explorer/ and packages', () => {
    const offenders: string[] = [];
    const files = readdirSync(join(root, 'explorer'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(files).toContain('codec/codec.ts');
    for (const f of files) {
      const text = readFileSync(join(root, 'explorer', f), 'utf8');
      for (const m of text.matchAll(/from '(\.\.?\/[^']+)'/g)) {
        const target = relative(join(root, 'explorer'), normalize(join(root, 'explorer', dirname(f), m[1]!)));
        if (target.startsWith('..')) offenders.push(`${f}: ${m[1]}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});

// The kernel's shape: drm_gpusvm, drm_pagemap and core mm are shared, and each driver calls them
// through ops. A driver is a module under model/drivers/; the shared files never test which one
// runs, so adding a driver or a revision touches no shared file.
describe('drivers', () => {
  const shared = (dir: string, skip: (f: string) => boolean): string[] =>
    readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !skip(f))
      .map((f) => join(dir, f));
  const files = [
    ...shared('model', (f) => f.startsWith('drivers/') || f.startsWith('scenarios/')),
    ...shared('invariants', (f) => f === 'mutants.ts'),
    ...shared('explorer', () => false),
  ];

  it('no shared file names a protocol or tests which driver runs', async () => {
    const { PROTOCOLS } = await import('../model/drivers/index.ts');
    expect(files).toContain(join('model', 'steps', 'get-pages.ts'));
    const names = PROTOCOLS.map((p) => p.name);
    expect(names).toContain('xe');
    const offenders: string[] = [];
    for (const f of files) {
      const code = readFileSync(join(root, f), 'utf8')
        .split('\n')
        .filter((l) => !/^\s*(\/\/|\*|\/\*)/.test(l))
        .join('\n');
      for (const n of names) if (code.includes(`'${n}'`) || code.includes(`"${n}"`) || code.includes(`\`${n}\``)) offenders.push(`${f}: '${n}'`);
      if (/\bprotocol\s*[!=]==/.test(code)) offenders.push(`${f}: compares a protocol`);
    }
    expect(offenders).toEqual([]);
  });

  it('a driver that is not in the registry builds and runs: a new driver needs no shared change', async () => {
    const { svmModel } = await import('../model/build.ts');
    const { explore } = await import('../explorer/index.ts');
    const { xe } = await import('../model/drivers/xe/index.ts');
    const cfg = { pages: 2, chunkSizes: [2, 1], mapRetries: 3, granularity: 2, vmas: [[0, 2]] as [number, number][], attrs: [], premapped: [], processes: [{ kind: 'fault' as const, page: 0 }] };
    const renamed = svmModel('t', cfg, { ...xe, name: 'xe-next', lock: { name: 'next_lock', description: 'a new driver lock' } });
    expect(renamed.name).toBe('t/xe-next');
    expect((renamed.locks ?? []).map((l) => l.name)).toContain('next_lock');
    expect(explore(renamed).states).toBe(explore(svmModel('t', cfg, 'xe')).states);
  });
});
