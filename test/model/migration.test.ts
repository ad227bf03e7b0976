// Device memory and migration on short hand-written schedules and on every way a small
// configuration can end, each expectation derived from DOMAIN.md §3.6-§3.9 and drm_pagemap.c.

import { describe, expect, it } from 'vitest';
import { explore } from '../../explorer/index.ts';
import { svmModel } from '../../model/build.ts';
import type { ProcessSpec, SvmConfig } from '../../model/config.ts';
import type { Protocol } from '../../model/drivers/index.ts';
import { SVM_SCENARIOS } from '../../model/scenarios/configs.ts';
import { content } from '../../model/queries.ts';
import { NONE, type SvmGlobals } from '../../model/state.ts';
import { terminalStates } from './reachable.ts';
import { schedule } from './schedule.ts';

const devmem = { pages: 2, chunkSizes: [2, 1], mapRetries: 3, granularity: 2, vmas: [[0, 2]], attrs: [{ start: 0, end: 2, value: 1 }], premapped: [], devices: 1, initialData: [5, 6] } as const;
const model = (protocol: Protocol, processes: ProcessSpec[], over: Partial<SvmConfig> = {}) => svmModel('test', { ...devmem, ...over, processes }, protocol);
const prefetch = (dev = 0): ProcessSpec => ({ kind: 'migrate', start: 0, end: 2, dev });
const labels = (run: { steps: { process: string; label: string }[] }, process: string) => run.steps.filter((s) => s.process === process).map((s) => s.label);
/** The device whose VRAM backs each page, NONE for system memory. */
const placement = (g: SvmGlobals) => g.pages.map((p) => (p.dev === NONE ? NONE : g.devmem[p.dev]!.dev));
const scenario = (name: string) => SVM_SCENARIOS.find((s) => s.name === name)!.config;

// The prefetch runs until it waits for the copy fence, the engine runs the clear and then the
// copy (which waits for the clear: the pre_migrate_fence), and the prefetch finishes.
const migrated = ['prefetch0*', 'engine*', 'prefetch0*'];

describe('a prefetch moves a range into VRAM with its data', () => {
  it.each(['amdgpu-v3-vram', 'xe'] as const)('%s: both pages map device pages of one allocation, holding what the system pages held', (protocol) => {
    const run = schedule(model(protocol, [prefetch()]), migrated);
    const g = run.last.g;
    expect(run.last.procs[0]!.pc).toBe('done');
    expect(placement(g)).toEqual([0, 0]);
    expect([content(g, 0), content(g, 1)]).toEqual([5, 6]);
    // One zdd reference per device page in use; the migration dropped its own.
    expect(g.devmem[0]).toMatchObject({ used: [true, true], zdd: 2, released: false, backed: true, timeslice: true });
    expect(labels(run, 'engine')).toEqual(['engine_clear', 'engine_copy']);
  });
});

describe('a CPU store to a device-private page', () => {
  it('faults, is refused once while the timeslice lasts, then migrates the allocation back and stores', () => {
    const run = schedule(model('amdgpu-v3-vram', [prefetch(), { kind: 'cpu-fault', page: 0, value: 7 }]), [...migrated, 'cpu0*']);
    const cpu = labels(run, 'cpu0');
    expect(cpu.filter((l) => l === 'cf_timeslice')).toHaveLength(1);
    expect(cpu.indexOf('cf_timeslice')).toBeLessThan(cpu.indexOf('cf_window'));
    expect(cpu.at(-1)).toBe('cpu_store');
    const g = run.last.g;
    // The window is the whole allocation: page 1 came back too, with its data.
    expect(placement(g)).toEqual([NONE, NONE]);
    expect([content(g, 0), content(g, 1)]).toEqual([7, 6]);
    // Every device page freed: the last zdd reference went, devmem_release ran.
    expect(g.devmem[0]).toMatchObject({ used: [false, false], zdd: 0, released: true, backed: false });
  });

  it("migrates the window aligned around the fault page (ALIGN_DOWN / ALIGN by the allocation's size), not the allocation itself", () => {
    // A 2-page allocation of [1, 3) in a 4-page VMA: a store to page 2 migrates [2, 4), so page 1
    // stays in VRAM and page 3 (a system page) is collected for nothing.
    const wide = { pages: 4, vmas: [[0, 4]], attrs: [{ start: 0, end: 4, value: 1 }], initialData: [1, 5, 6, 2] } as const;
    const run = schedule(model('xe', [{ kind: 'migrate', start: 1, end: 3, dev: 0 }, { kind: 'cpu-fault', page: 2, value: 7 }], wide), [...migrated, 'cpu0*']);
    expect(labels(run, 'cpu0').at(-1)).toBe('cpu_store');
    const g = run.last.g;
    expect(placement(g)).toEqual([NONE, 0, NONE, NONE]);
    expect([0, 1, 2, 3].map((p) => content(g, p))).toEqual([1, 5, 7, 2]);
  });

  it('migrates only the pages nobody else holds: a page another fault has locked stays in VRAM', () => {
    const m = model('amdgpu-v3-vram', [prefetch(), { kind: 'cpu-fault', page: 0, value: 7 }, { kind: 'cpu-fault', page: 1, value: 8 }]);
    // cpu0 is refused once (the timeslice ends); cpu1 locks page 1; cpu0 then migrates.
    const cpu0 = ['cpu0:cpu_fault', 'cpu0:cf_lock_page', 'cpu0:cf_timeslice', 'cpu0:cpu_refault'];
    const run = schedule(m, [...migrated, ...cpu0, 'cpu1:cpu_fault', 'cpu1:cf_lock_page', 'cpu0:cpu_fault', 'cpu0:cf_lock_page', 'cpu0:cf_window']);
    const done = schedule(m, [...run.steps.map((s) => `${s.process}:${s.label}`), ...new Array<string>(9).fill('cpu0')]);
    expect(labels(done, 'cpu0').at(-1)).toBe('cf_finalize');
    expect(placement(done.last.g)).toEqual([NONE, 0]);
    expect(done.last.g.devmem[0]).toMatchObject({ used: [false, true], zdd: 1, released: false });
    // cpu1 then migrates page 1 itself, and both stores land.
    const end = schedule(m, [...done.steps.map((s) => `${s.process}:${s.label}`), 'cpu0*', 'cpu1*']);
    expect(placement(end.last.g)).toEqual([NONE, NONE]);
    expect([content(end.last.g, 0), content(end.last.g, 1)]).toEqual([7, 8]);
  });

  it('with MEMORY_DEVICE_COHERENT, lands in the device page without a fault', () => {
    const run = schedule(model('xe', [prefetch(), { kind: 'cpu-fault', page: 0, value: 7 }], { memoryType: 'coherent' }), [...migrated, 'cpu0*']);
    expect(labels(run, 'cpu0')).toEqual(['cpu_store']);
    expect(placement(run.last.g)).toEqual([0, 0]);
    expect(content(run.last.g, 0)).toBe(7);
  });
});

describe('two GPUs prefetching one range', () => {
  it('xe, bouncing through RAM: the second migration gets -EBUSY, takes driver_migrate_lock for write, evicts and migrates', () => {
    const m = model('xe', [prefetch(0), prefetch(1)], { devices: 2 });
    const run = schedule(m, [...migrated, 'prefetch1*', 'engine*', 'prefetch1*']);
    const p1 = labels(run, 'prefetch1');
    expect(p1.slice(p1.indexOf('mg_cpages'), p1.indexOf('mg_cpages') + 5)).toEqual(['mg_cpages', 'mg_finalize', 'mg_unlock1', 'av_up_read', 'av_down_write']);
    expect(p1).toContain('re_finalize');
    expect(placement(run.last.g)).toEqual([1, 1]);
    expect(run.last.g.devmem[0]).toMatchObject({ released: true });
  });

  it('xe, direct VRAM-to-VRAM: the second migration takes the peer\'s device pages at once', () => {
    const m = model('xe', [prefetch(0), prefetch(1)], { devices: 2, vramToVram: 'direct' });
    const run = schedule(m, [...migrated, 'prefetch1*', 'engine*', 'prefetch1*']);
    expect(labels(run, 'prefetch1')).not.toContain('av_down_write');
    expect(placement(run.last.g)).toEqual([1, 1]);
  });

  it('xe: however they interleave, the range ends whole in one device\'s VRAM', () => {
    const ends = terminalStates(svmModel('t', scenario('two-gpus-migrating'), 'xe')).map((s) => placement(s.g).join(','));
    expect([...new Set(ends)].sort()).toEqual(['0,0', '1,1']);
  });

  it('amdgpu (no driver_migrate_lock, no retry): a prefetch finding the range in the peer\'s VRAM fails with -EBUSY and leaves it there', () => {
    const m = model('amdgpu-v3-vram', [prefetch(0), prefetch(1)], { devices: 2 });
    const run = schedule(m, [...migrated, 'prefetch1*']);
    const p1 = labels(run, 'prefetch1');
    expect(p1.slice(p1.indexOf('mg_cpages'))).toEqual(['mg_cpages', 'mg_finalize', 'mg_unlock1', 'pv_unlock1']);
    expect(run.last.procs[1]!.locals.ret).toBe(-16);
    expect(placement(run.last.g)).toEqual([0, 0]);
    // migrate_vma_collect takes a 2M range's pages under one page-table lock, so two collectors
    // never split a range: in every ending it is whole on one device.
    const ends = terminalStates(svmModel('t', scenario('two-gpus-migrating'), 'amdgpu-v3-vram')).map((s) => placement(s.g).join(','));
    expect([...new Set(ends)].sort()).toEqual(['0,0', '1,1']);
  });
});

describe('eviction', () => {
  it('empties the buffer through migrate_device_pfns, and only then is the VRAM moved', () => {
    const run = schedule(model('xe', [prefetch(), { kind: 'evict', dev: 0 }]), [...migrated, 'evict0*']);
    const ev = labels(run, 'evict0');
    expect(ev.slice(-4)).toEqual(['ev_finalize', 'ev_detached', 'ev_move', 'ev_unlock']);
    expect(placement(run.last.g)).toEqual([NONE, NONE]);
    expect([content(run.last.g, 0), content(run.last.g, 1)]).toEqual([5, 6]);
    expect(run.last.g.devmem[0]).toMatchObject({ released: true, backed: false, zdd: 0 });
  });

  it('gives up with -EBUSY after three passes while a page stays locked, and the VRAM is not moved', () => {
    const m = model('xe', [prefetch(), { kind: 'cpu-fault', page: 0, value: 7 }, { kind: 'evict', dev: 0 }]);
    // The CPU fault holds page 0 locked (do_swap_page) while the eviction runs all its passes.
    const run = schedule(m, [...migrated, 'cpu0:cpu_fault', 'cpu0:cf_lock_page', 'evict0*']);
    const ev = labels(run, 'evict0');
    expect(ev.filter((l) => l === 'ev_populate')).toHaveLength(3);
    expect(ev).not.toContain('ev_move');
    expect(placement(run.last.g)).toEqual([0, NONE]);
    expect(run.last.g.devmem[0]).toMatchObject({ backed: true, released: false, used: [true, false] });
  });
});

describe('the MMU_NOTIFY_MIGRATE owner rule (Documentation/mm/hmm.rst)', () => {
  const cfg = { ...scenario('migration-vs-munmap'), processes: [prefetch()] };
  it.each(['amdgpu-v3-vram', 'xe'] as const)('%s: a notifier that skips its own owner\'s MIGRATE events keeps PTEs to the system pages a migration frees', (protocol) => {
    const skip = explore(svmModel('t', { ...cfg, migrateOwnerSkip: true }, protocol), { stopAtFirstViolation: false });
    expect(skip.violations.map((v) => v.invariant)).toEqual(expect.arrayContaining(['invalidate-before-return', 'no-stale-pte']));
    // As drm_gpusvm, xe and amdgpu V3 do it (no owner check), the same migration keeps no such PTE
    // (amdgpu-v3-vram still loses data to the copy racing the clear: Driver.copyAfterClear).
    const clean = explore(svmModel('t', cfg, protocol), { stopAtFirstViolation: false }).violations.map((v) => v.invariant);
    expect(clean.filter((i) => i === 'invalidate-before-return' || i === 'no-stale-pte')).toEqual([]);
  });
});

describe('"Raced while finalizing migration" (finalizeRaces)', () => {
  it('amdgpu: the prefetch returns -EBUSY with the page that failed left in RAM', () => {
    const ends = terminalStates(model('amdgpu-v3-vram', [prefetch()], { finalizeRaces: true })).map((s) => placement(s.g).join(','));
    expect([...new Set(ends)].sort()).toEqual(['0,-1', '0,0']);
  });

  it('xe: after a race, the retry under driver_migrate_lock(W) evicts and migrates again (only another race leaves RAM behind)', () => {
    const m = model('xe', [prefetch()], { finalizeRaces: true });
    const r = explore(m, { stopAtFirstViolation: false });
    expect(r.verdict).toBe('pass');
    // The retry path runs: the page left in VRAM by the race goes back to RAM, then all migrate.
    for (const step of ['av_down_write', 're_finalize', 'av_unlock_write']) expect(r.coverage.steps[`prefetch_vram/${step}`]).toBeGreaterThan(0);
    const ends = terminalStates(m).map((s) => placement(s.g).join(','));
    expect([...new Set(ends)].sort()).toEqual(['0,-1', '0,0']);
  });
});
