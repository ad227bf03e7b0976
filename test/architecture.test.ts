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
