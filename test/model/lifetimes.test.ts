// Reference counts (issue 15): the VRAM buffer object's kref and mm_users, on hand-written
// schedules and on every way a small configuration can end. Each expected count is derived from
// the holders the sources name: xe_drm_pagemap_populate_mm's own reference (xe_bo_get) and the
// allocation's (put by devmem_release), amdgpu MIG v3's one reference (the allocation's), TTM's
// while it evicts, one mm reference per drm_pagemap_populate_mm / evict_to_ram / range_evict.

import { describe, expect, it } from 'vitest';
import type { Draft } from 'immer';
import { explore, patchModel } from '../../explorer/index.ts';
import { svmModel } from '../../model/build.ts';
import type { ProcessSpec, SvmConfig } from '../../model/config.ts';
import type { Protocol } from '../../model/drivers/index.ts';
import { pagesInUse } from '../../model/devmem.ts';
import { SVM_SCENARIOS } from '../../model/scenarios/configs.ts';
import { BO_OK, type SvmGlobals, type SvmLocals } from '../../model/state.ts';
import { terminalStates } from './reachable.ts';
import { schedule } from './schedule.ts';

const devmem = { pages: 2, chunkSizes: [2, 1], mapRetries: 3, granularity: 2, vmas: [[0, 2]], attrs: [{ start: 0, end: 2, value: 1 }], premapped: [], devices: 1, initialData: [5, 6] } as const;
const model = (protocol: Protocol, processes: ProcessSpec[], over: Partial<SvmConfig> = {}) => svmModel('test', { ...devmem, ...over, processes }, protocol);
const prefetch: ProcessSpec = { kind: 'migrate', start: 0, end: 2, dev: 0 };
/** migrate_vma_setup without migrate_vma_check_page: every page of the allocation nobody holds locked. */
function collectWithoutRefs(g: Draft<SvmGlobals>, l: Draft<SvmLocals>): void {
  l.mask = 0;
  for (let p = l.is; p < l.ie; p++) {
    if (g.pages[p]!.locked || g.pages[p]!.dev !== l.alloc) continue;
    g.pages[p]!.locked = true;
    l.mask |= 1 << (p - l.is);
  }
}
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

describe("do_swap_page's page references (doSwapPage)", () => {
  // Two CPU threads store to page 0 after a prefetch moved [0, 2) to VRAM.
  const threads = (over: Partial<SvmConfig>) => model('xe', [prefetch, { kind: 'cpu-fault', page: 0, value: 7 }, { kind: 'cpu-fault', page: 0, value: 8 }], over);
  const migrated = ['prefetch0*', 'engine*', 'prefetch0*'];

  it('before the trylock, the reference of a thread waiting in migrate_to_ram makes the migration of the other restore the page', () => {
    // cpu0 and cpu1 both take their reference; the timeslice ends for cpu0 (cf_timeslice), which
    // faults again and runs the migration while cpu1 still holds its reference.
    // (Not `cpu0*`: before the trylock cpu0 may retry forever.)
    const run = schedule(threads({ doSwapPage: 'get-page' }), [...migrated, 'cpu0:cpu_fault', 'cpu0:cf_lock_page', 'cpu1:cpu_fault', 'cpu1:cf_lock_page', 'cpu0:cf_timeslice', ...new Array<string>(12).fill('cpu0')]);
    const collect = run.steps.findIndex((s) => s.process === 'cpu0' && s.label === 'cf_collect');
    expect(collect).toBeGreaterThan(0);
    const g = run.states[collect + 1]!.g;
    expect(g.devmem[0]!.refs[0]).toBe(2); // cpu0's (faulting again) and cpu1's
    expect(g.pages[0]!.locked).toBe(false); // restored: not collected
    const after = run.last.g;
    expect(after.pages[0]!.dev).toBe(0); // page 0 stayed in VRAM
  });

  it('with the trylock every way it ends has put every page reference and misused nothing', () => {
    const ends = terminalStates(threads({}));
    expect(ends.length).toBeGreaterThan(0);
    for (const s of ends) expect(s.g.devmem.map((d) => ({ refs: d.refs, fault: d.boFault }))).toEqual([{ refs: [0, 0], fault: BO_OK }]);
  });

  // Before the trylock the retries are endless and each runs an MMU_NOTIFY_MIGRATE invalidation,
  // whose seqs only grow: the state space is infinite until seqs get a bounded canonical form
  // (issue 15, endless streams). A search cut by a state bound still finds what it finds.
  it('a migration that ignored the other references would free a page a CPU fault still holds (bounded search)', () => {
    const m = threads({ doSwapPage: 'get-page' });
    const bound = { stopAtFirstViolation: false, maxStates: 20_000 } as const;
    const sound = explore(m, bound);
    expect(sound.incomplete).toMatch(/state bound/);
    expect(sound.violations.map((v) => v.invariant)).not.toContain('no-use-after-free');
    const ignoring = patchModel(m, [{ program: 'cpu_fault', label: 'cf_collect', replace: { effect: (g, l) => collectWithoutRefs(g, l) } }], 'collect ignores references');
    expect(explore(ignoring, bound).violations.map((v) => v.invariant)).toContain('no-use-after-free');
  });
});
