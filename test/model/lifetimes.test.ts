// Reference counts (issue 15): the VRAM buffer object's kref and mm_users, on hand-written
// schedules and on every way a small configuration can end. Each expected count is derived from
// the holders the sources name: xe_drm_pagemap_populate_mm's own reference (xe_bo_get) and the
// allocation's (put by devmem_release), amdgpu MIG v3's one reference (the allocation's), TTM's
// while it evicts, one mm reference per drm_pagemap_populate_mm / evict_to_ram / range_evict.

import { describe, expect, it } from 'vitest';
import { svmModel } from '../../model/build.ts';
import type { ProcessSpec, SvmConfig } from '../../model/config.ts';
import type { Protocol } from '../../model/drivers/index.ts';
import { pagesInUse } from '../../model/devmem.ts';
import { SVM_SCENARIOS } from '../../model/scenarios/configs.ts';
import { BO_OK, type SvmGlobals } from '../../model/state.ts';
import { terminalStates } from './reachable.ts';
import { schedule } from './schedule.ts';

const devmem = { pages: 2, chunkSizes: [2, 1], mapRetries: 3, granularity: 2, vmas: [[0, 2]], attrs: [{ start: 0, end: 2, value: 1 }], premapped: [], devices: 1, initialData: [5, 6] } as const;
const model = (protocol: Protocol, processes: ProcessSpec[], over: Partial<SvmConfig> = {}) => svmModel('test', { ...devmem, ...over, processes }, protocol);
const prefetch: ProcessSpec = { kind: 'migrate', start: 0, end: 2, dev: 0 };
const refs = (g: SvmGlobals) => g.devmem.map((d) => ({ bo: d.bo, zdd: d.zdd, inUse: pagesInUse(d).length, fault: d.boFault }));

describe('the VRAM buffer object is held by whoever the source says holds it', () => {
  it('xe: two references while populate_mm runs (its own and the allocation\'s), one once it returned', () => {
    // The prefetch runs to its copy fence wait, the engine clears and copies, the prefetch ends.
    const run = schedule(model('xe', [prefetch]), ['prefetch0*', 'engine*', 'prefetch0*']);
    const after = (label: string) => run.states[run.steps.findIndex((s) => s.label === label) + 1]!.g;
    expect(after('mg_bo_create').devmem[0]!.bo).toBe(2);
    expect(after('mg_bo_create').mmUsers).toBe(2);
    expect(after('mg_finalize').devmem[0]!.bo).toBe(2);
    expect(after('mg_unlock').devmem[0]!.bo).toBe(1);
    expect(after('mg_unlock').mmUsers).toBe(1);
  });

  it.each(['xe', 'amdgpu-v3-vram'] as const)('%s: after a successful migration the allocation alone holds the buffer, each device page a zdd reference', (protocol) => {
    const ends = terminalStates(model(protocol, [prefetch]));
    expect(ends.length).toBeGreaterThan(0);
    for (const s of ends) {
      expect(refs(s.g)).toEqual([{ bo: 1, zdd: 2, inUse: 2, fault: BO_OK }]);
      expect(s.g.mmUsers).toBe(1);
    }
  });

  it.each(['xe', 'amdgpu-v3-vram'] as const)('%s: once a CPU fault took every page back, the buffer is freed and its VRAM with it', (protocol) => {
    const ends = terminalStates(model(protocol, [prefetch, { kind: 'cpu-fault', page: 0, value: 7 }]));
    const back = ends.filter((s) => s.g.devmem.length === 1 && pagesInUse(s.g.devmem[0]!).length === 0);
    expect(back.length).toBeGreaterThan(0);
    for (const s of back) expect({ ...refs(s.g)[0], backed: s.g.devmem[0]!.backed, released: s.g.devmem[0]!.released }).toEqual({ bo: 0, zdd: 0, inUse: 0, fault: BO_OK, backed: false, released: true });
  });

  it("xe: TTM's reference keeps the buffer alive from the pick to its unlock, and is its last", () => {
    const ends = terminalStates(model('xe', [prefetch, { kind: 'evict', dev: 0 }]));
    // Evicted: every page back in system memory, the buffer freed by TTM's put, nothing misused.
    const evicted = ends.filter((s) => s.g.pages.every((p) => p.dev === -1) && s.g.devmem.length === 1);
    expect(evicted.length).toBeGreaterThan(0);
    for (const s of evicted) expect(refs(s.g)).toEqual([{ bo: 0, zdd: 0, inUse: 0, fault: BO_OK }]);
  });
});

describe('mm_users', () => {
  const enomem = SVM_SCENARIOS.find((s) => s.name === 'range-evict-enomem')!.config;

  it('xe: drm_gpusvm_range_evict returning -ENOMEM leaves one mm reference behind (DOMAIN.md §5 bug 2)', () => {
    const users = new Set(terminalStates(svmModel('range-evict-enomem', enomem, 'xe')).map((s) => s.g.mmUsers));
    expect([...users].sort()).toEqual([1, 2]);
  });

  it('xe: without allocation failures every way it ends puts every mm reference', () => {
    const users = new Set(terminalStates(svmModel('x', { ...enomem, allocFailures: false }, 'xe')).map((s) => s.g.mmUsers));
    expect([...users]).toEqual([1]);
  });
});
