// Builds the explorer model for a scenario configuration under one protocol: a driver module
// (model/drivers/) composed with the shared drm_gpusvm, drm_pagemap and core mm steps.

import { FS_RECLAIM, InputError, type Model, type Program } from '../explorer/index.ts';
import { svmInvariants } from '../invariants/index.ts';
import { cpuFaultsTerminate, faultsTerminate } from '../invariants/liveness.ts';
import { devicesOf, gpuOf, gpus, instances, suffix } from './gpu.ts';
import { topology } from './topology.ts';
import { devices, type ProcessSpec, type SvmConfig } from './config.ts';
import { attrPolicy, type Driver } from './driver.ts';
import { driverNamed } from './drivers/index.ts';
import { gcLock, INV, NOTIFIER, notifierLock, svmLocks } from './locks.ts';
import { gcWorker } from './processes/gc-worker.ts';
import { copyEngine } from './processes/copy-engine.ts';
import { cpuFault } from './processes/cpu-fault.ts';
import { evict } from './processes/evict.ts';
import { gpuWrite } from './processes/gpu-write.ts';
import { invalidate, munmap, remap } from './processes/invalidate.ts';
import { newRange } from './queries.ts';
import { allNotifiers, notifierWindow, onDemand } from './notifiers.ts';
import { SVM_SCHEMA } from './schema.ts';
import { LIVE, locals, MAPPED, MN_IN_TREE, MN_REMOVED, NONE, type AttrRange, type Range, type SvmGlobals, type SvmLocals } from './state.ts';

type P = Program<SvmGlobals, SvmLocals>;

export function initialGlobals(cfg: SvmConfig, driver: Driver): SvmGlobals {
  const pages = Array.from({ length: cfg.pages }, (_, p) => {
    const v = cfg.vmas.findIndex(([s, e]) => s <= p && p < e);
    return { mapped: v >= 0, vma: v + 1, gen: 0, dev: NONE, locked: false };
  });
  const attrs: AttrRange[] = driver.initialAttrs(cfg, [...cfg.attrs].sort((a, b) => a.start - b.start));
  // Page tables of every GPU, device after device. Premapped ranges are GPU 0's.
  const pte = new Array<number>(gpus(cfg) * cfg.pages).fill(NONE);
  const slots = devicesOf(cfg, 0).length;
  const ranges: Range[] = cfg.premapped.map(([s, e], i) => {
    for (let p = s; p < e; p++) pte[p] = pages[p]!.gen;
    return { ...newRange(s, e, i + 1, driver.devmemPossible(cfg), 0, slots), hasDma: true, dmaAlloc: true, dma: pages.slice(s, e).map((p) => p.gen), mapped: true };
  });
  return {
    pages,
    nextVma: cfg.vmas.length + 1,
    attrs,
    ranges: ranges.sort((a, b) => a.start - b.start),
    nextRangeId: ranges.length + 1,
    subSeq: 0,
    activeInvs: 0,
    // mmu_interval_notifier_insert starts the interval one behind the subscription's seq.
    mniSeq: new Array<number>(allNotifiers(cfg)).fill(-1),
    pte,
    tlb: [...pte],
    pteDev: new Array<number>(pte.length).fill(NONE),
    tlbDev: new Array<number>(pte.length).fill(NONE),
    tlbInval: new Array<number>(gpus(cfg)).fill(0),
    devmem: [],
    mmUsers: 1,
    data: cfg.initialData ? [...cfg.initialData] : new Array<number>(cfg.pages).fill(0),
    written: cfg.initialData ? [...cfg.initialData] : new Array<number>(cfg.pages).fill(0),
    attrSetVma: new Array<number>(cfg.pages).fill(0),
    attrSetValue: new Array<number>(cfg.pages).fill(0),
    attrAtUnmap: new Array<number>(cfg.pages).fill(MAPPED),
    attrOwed: new Array<number>(cfg.pages).fill(0),
    attrSetAfterUnmap: new Array<boolean>(cfg.pages).fill(false),
    checkpoint: false,
    gcList: [],
    orphans: [],
    gcPending: new Array<boolean>(instances(cfg)).fill(false),
    gcRunning: new Array<boolean>(instances(cfg)).fill(false),
    life: new Array<number>(instances(cfg)).fill(LIVE),
    // On demand, a notifier exists at the start only where a premapped range (instance 0) needs it.
    mnState: Array.from({ length: allNotifiers(cfg) }, (_, n) => {
      const w = notifierWindow(cfg, n);
      const needed = !onDemand(cfg) || (w.inst === 0 && cfg.premapped.some(([s, e]) => s < w.end && w.start < e));
      return needed ? MN_IN_TREE : MN_REMOVED;
    }),
  };
}

/** Configurations the model cannot represent faithfully yet are refused, not approximated. */
function checkDevices(cfg: SvmConfig, driver: Driver): void {
  const refused = driver.refuses?.(cfg);
  if (refused) throw new InputError(`protocol ${driver.name} cannot run this configuration: ${refused}`);
  const n = devices(cfg);
  const migrates = cfg.processes.find((p) => p.kind === 'migrate');
  if (migrates && !driver.programs.prefetchVram) throw new InputError(`a migrate process needs device memory, which protocol ${driver.name} does not have`);
  for (const p of cfg.processes) {
    if ((p.kind === 'migrate' || p.kind === 'evict') && (p.dev < 0 || p.dev >= n)) {
      throw new InputError(`a ${p.kind} process names device ${p.dev}, but the scenario has ${n} device(s) with VRAM`);
    }
    const gpu = 'dev' in p ? (p.dev ?? 0) : 0;
    if (gpu < 0 || gpu >= gpus(cfg)) throw new InputError(`a ${p.kind} process names GPU ${gpu}, but the scenario has ${gpus(cfg)} GPU(s)`);
  }
  if (cfg.pages > 30) throw new InputError(`${cfg.pages} pages: migrations keep page sets as 31-bit masks`);
  checkNotifiers(cfg);
}

/** On-demand notifiers: a size that cuts the VA, premapped ranges inside one, no path that is not split yet. */
function checkNotifiers(cfg: SvmConfig): void {
  if (!onDemand(cfg)) return;
  const size = cfg.notifierPages!;
  if (!Number.isInteger(size) || size < 1 || cfg.pages % size !== 0) {
    throw new InputError(`notifierPages ${size}: a notifier covers a whole number of pages, at least 1, and the ${cfg.pages} pages are whole notifiers`);
  }
  const crossing = cfg.premapped.find(([s, e]) => Math.floor(s / size) !== Math.floor((e - 1) / size));
  if (crossing) throw new InputError(`premapped range [${crossing[0]}, ${crossing[1]}) crosses a notifier boundary (notifierPages ${size}); drm_gpusvm never makes such a range`);
  // xe madvise and amdgpu invalidate_interval remove ranges several at a time in one step; with
  // notifiers removed behind them (each a wait) that step would have to be split first.
  if (cfg.processes.some((p) => p.kind === 'set-attr')) throw new InputError('on-demand notifiers (notifierPages) with an attribute ioctl are not modeled yet: its range removals do not remove emptied notifiers');
}

export function svmModel(name: string, cfg: SvmConfig, protocolOrDriver: string | Driver): Model<SvmGlobals, SvmLocals> {
  const driver = typeof protocolOrDriver === 'string' ? driverNamed(protocolOrDriver) : protocolOrDriver;
  const { programs: ops } = driver;
  const programs = new Map<string, P>();
  const program = (key: string, make: () => P): P => {
    if (!programs.has(key)) programs.set(key, make());
    return programs.get(key)!;
  };
  const counts = new Map<string, number>();
  const instance = (spec: ProcessSpec): { name: string; program: P; locals: SvmLocals } => {
    const n = counts.get(spec.kind) ?? 0;
    counts.set(spec.kind, n + 1);
    switch (spec.kind) {
      case 'fault': {
        const gpu = gpuOf(cfg, spec.dev ?? 0);
        const make = () => ops.fault(driver, cfg, gpu);
        return { name: `fault${n}`, program: program(`fault-${gpu.dev}`, make), locals: locals({ page: spec.page, dev: gpu.dev }) };
      }
      case 'munmap':
        return { name: `munmap${n}`, program: program('munmap', () => munmap(cfg, driver)), locals: locals({ page: spec.start, end: spec.end, is: spec.start, ie: spec.end }) };
      case 'invalidate':
        return { name: `clear${n}`, program: program('invalidate', () => invalidate(cfg, driver)), locals: locals({ page: spec.start, end: spec.end, is: spec.start, ie: spec.end }) };
      case 'remap':
        return { name: `remap${n}`, program: program('remap', remap), locals: locals({ page: spec.start, end: spec.end }) };
      case 'gpu-write': {
        const dev = spec.dev ?? 0;
        return { name: `gpu_write${n}`, program: program(`gpu-write-${dev}`, () => gpuWrite(dev)), locals: locals({ page: spec.page, value: spec.value, dev }) };
      }
      case 'gc-worker': {
        const inst = gpuOf(cfg, spec.dev ?? 0).inst;
        return { name: `gc${suffix(inst)}`, program: program(`gc-${inst}`, () => gcWorker(cfg, driver, inst)), locals: locals({ dev: spec.dev ?? 0 }) };
      }
      case 'set-attr': {
        const pf = spec.prefetch ?? false;
        const make = () => ops.setAttr(driver, cfg, pf);
        return { name: `set_attr${n}`, program: program(`set-attr-${pf}`, make), locals: locals({ page: spec.start, end: spec.end, value: spec.value }) };
      }
      case 'migrate':
        return { name: `prefetch${n}`, program: program('prefetch-vram', () => ops.prefetchVram!(driver, cfg)), locals: locals({ page: spec.start, end: spec.end, dev: spec.dev }) };
      case 'cpu-fault':
        return { name: `cpu${n}`, program: program('cpu-fault', () => cpuFault(cfg, driver)), locals: locals({ page: spec.page, value: spec.value }) };
      case 'evict':
        return { name: `evict${n}`, program: program('evict', () => evict(cfg, driver)), locals: locals({ dev: spec.dev }) };
      case 'teardown': {
        const inst = gpuOf(cfg, spec.dev ?? 0).inst;
        return { name: `teardown${suffix(inst)}`, program: program(`teardown-${inst}`, () => ops.teardown(driver, cfg, inst)), locals: locals() };
      }
    }
  };
  checkDevices(cfg, driver);
  const processes = cfg.processes.map(instance);
  // With device memory the driver can use, the copy engine runs the clear and copy jobs migrations queue.
  if (driver.devmemPossible(cfg)) processes.push({ name: 'engine', program: copyEngine(driver), locals: locals() });
  // The TLB invalidations the driver's unbinds queue complete on their own. Only the GC (of
  // ranges a munmap queued) and an attribute ioctl unbind.
  const unbinds = cfg.processes.some((p) => p.kind === 'munmap' || p.kind === 'set-attr');
  if (ops.tlbInval && unbinds) processes.push({ name: 'tlb', program: ops.tlbInval(), locals: locals() });
  // Every GPU's fault program is gpu_fault (GPU 0) or gpu_fault<N>.
  const of = (program: string) => processes.flatMap((p, pid) => (p.program.name.replace(/\d+$/, '') === program ? [{ pid, name: p.name }] : []));
  return {
    name: `${name}/${driver.name}`,
    locks: svmLocks(driver, devices(cfg), instances(cfg)),
    processes,
    initial: [initialGlobals(cfg, driver)],
    invariants: svmInvariants(attrPolicy(cfg, driver), topology(cfg, driver), new Set(processes.flatMap((p) => p.program.endLabels ?? []))),
    liveness: [faultsTerminate(of('gpu_fault')), cpuFaultsTerminate(of('cpu_fault'))],
    // Reclaim runs MMU notifiers, so it may take the notifier lock: lockdep is primed with it.
    lockPriming: [
      { from: FS_RECLAIM, to: NOTIFIER, why: 'drm_gpusvm_init: fs_reclaim_acquire(GFP_KERNEL); might_lock(&notifier_lock)' },
      // The callbacks run inside mmu_notifier_invalidate_range_start's lock_map_acquire of
      // __mmu_notifier_invalidate_range_start_map: every lock a callback takes is ordered after it.
      ...Array.from({ length: instances(cfg) }, (_, i) => [notifierLock(i), gcLock(i)])
        .flat()
        .map((to) => ({ from: INV, to, why: 'the notifier callbacks run under lock_map_acquire(&__mmu_notifier_invalidate_range_start_map)' })),
    ],
    schema: SVM_SCHEMA,
  };
}
