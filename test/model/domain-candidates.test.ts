// Every DOMAIN.md §4 candidate is listed in invariants/domain-candidates.ts, and every property it
// names is in the catalogue (an invariant, an engine property, or a lock-order rule).

import { describe, expect, it } from 'vitest';
import { catalogue } from '../../cli/catalogue.ts';
import { DOMAIN_CANDIDATES } from '../../invariants/domain-candidates.ts';
import { SVM_LOCK_RULES } from '../../invariants/lock-rules.ts';

describe('DOMAIN.md §4 candidates', () => {
  it('lists items 1-15 and L1-L4, each once', () => {
    const items = [...Array.from({ length: 15 }, (_, i) => String(i + 1)), 'L1', 'L2', 'L3', 'L4'];
    expect(DOMAIN_CANDIDATES.map((d) => d.item)).toEqual(items);
  });

  it('names only properties the catalogue has, and says why wherever nothing checks a candidate', () => {
    const known = new Set([...catalogue().invariants.map((i) => i.id), ...SVM_LOCK_RULES.map((r) => r.id)]);
    expect(DOMAIN_CANDIDATES.flatMap((d) => d.checkedBy).filter((id) => !known.has(id))).toEqual([]);
    expect(DOMAIN_CANDIDATES.filter((d) => d.checkedBy.length === 0 && !d.notImplemented).map((d) => d.item)).toEqual([]);
  });
});
