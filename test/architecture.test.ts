// The arrow goes model -> explorer, never back: the engine imports nothing outside explorer/.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

describe('layout', () => {
  it('explorer/ imports only from explorer/ and packages', () => {
    const offenders: string[] = [];
    for (const f of readdirSync(join(root, 'explorer'))) {
      const text = readFileSync(join(root, 'explorer', f), 'utf8');
      for (const m of text.matchAll(/from '(\.\.?\/[^']+)'/g)) if (m[1]!.startsWith('../')) offenders.push(`${f}: ${m[1]}`);
    }
    expect(offenders).toEqual([]);
  });
});
