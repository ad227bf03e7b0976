// Pure functions over the SVM state: lookups (work on frozen states and on drafts alike) and the
// small algorithms of drm_gpusvm and the attribute tree that steps call. No locking here: the
// step that calls them declares what it holds.

import type { Draft } from 'immer';
import type { SvmConfig } from './config.ts';
import { GPU0, type Gpu } from './gpu.ts';
import { MAPPED, NONE, UNMAP_DONE_OWED, type AttrRange, type DevPages, type Range, type SvmGlobals, type SvmLocals } from './state.ts';

type G = SvmGlobals | Draft<SvmGlobals>;

// On a draft these return the draft range (to mutate it), on a state the frozen one. `inst` is
// the drm_gpusvm instance whose tree is searched.
export function rangeAt(g: Draft<SvmGlobals>, page: number, inst?: number): Draft<Range> | undefined;
export function rangeAt(g: SvmGlobals, page: number, inst?: number): Range | undefined;
export function rangeAt(g: G, page: number, inst = 0): Range | Draft<Range> | undefined {
  return g.ranges.find((r) => r.inst === inst && r.start <= page && page < r.end);
}

export function rangeStarting(g: Draft<SvmGlobals>, start: number, inst?: number): Draft<Range> | undefined;
export function rangeStarting(g: SvmGlobals, start: number, inst?: number): Range | undefined;
export function rangeStarting(g: G, start: number, inst = 0): Range | Draft<Range> | undefined {
  return g.ranges.find((r) => r.inst === inst && r.start === start);
}

export function rangeById(g: Draft<SvmGlobals>, id: number): Draft<Range> | undefined;
export function rangeById(g: SvmGlobals, id: number): Range | undefined;
export function rangeById(g: G, id: number): Range | Draft<Range> | undefined {
  return g.ranges.find((r) => r.id === id);
}

/** The range tree of one instance. */
export function tree(g: Draft<SvmGlobals>, inst: number): Draft<Range>[];
export function tree(g: SvmGlobals, inst: number): Range[];
export function tree(g: G, inst: number): (Range | Draft<Range>)[] {
  return g.ranges.filter((r) => r.inst === inst);
}

/**
 * A VA interval computed from the state (a migration's or an eviction's target), with the
 * components of the globals it reads: the steps that compute it declare them.
 */
export interface Interval {
  (g: SvmGlobals, l: SvmLocals): readonly [number, number];
  /** Top-level components of g it reads; none if it reads only the locals. */
  readonly reads?: readonly string[];
}

/** The bounds of the range a process works on (l.range in instance `inst`), e.g. as a migration's target. */
export const rangeInterval = (inst = 0): Interval =>
  Object.assign(
    (g: SvmGlobals, l: SvmLocals): readonly [number, number] => {
      const r = rangeStarting(g, l.range, inst)!;
      return [r.start, r.end];
    },
    { reads: ['ranges'] },
  );

/** A device's pages of a range: the range's own for slot 0, else a peer's. */
export function pagesOf(r: Draft<Range>, slot: number): Draft<DevPages>;
export function pagesOf(r: Range, slot: number): DevPages;
export function pagesOf(r: Range | Draft<Range>, slot: number): DevPages | Draft<DevPages> {
  return slot === 0 ? r : r.peers[slot - 1]!;
}

/** Where device d's PTE and TLB entry for page p are. */
export const pteIndex = (g: G, dev: number, p: number): number => dev * g.pages.length + p;

export function overlapping<T extends { start: number; end: number }>(list: readonly T[], start: number, end: number): T[] {
  return list.filter((r) => r.start < end && start < r.end);
}

/** vma_lookup: the VMA containing `page` as [start, end), or undefined. */
export function vmaAt(g: G, page: number): [number, number] | undefined {
  const p = g.pages[page];
  if (!p || !p.mapped) return undefined;
  let start = page;
  while (start > 0 && g.pages[start - 1]!.mapped && g.pages[start - 1]!.vma === p.vma) start--;
  let end = page + 1;
  while (end < g.pages.length && g.pages[end]!.mapped && g.pages[end]!.vma === p.vma) end++;
  return [start, end];
}

export function attrAt(g: G, page: number): AttrRange | undefined {
  return g.attrs.find((a) => a.start <= page && page < a.end);
}

/** The bounds a new range at l.page may take: its attribute range, or the page alone (into l.lo, l.hi). */
export function boundByAttrs(g: G, l: Draft<SvmLocals>): void {
  const a = attrAt(g, l.page);
  l.lo = a ? a.start : l.page;
  l.hi = a ? a.end : l.page + 1;
}

/** drm_gpusvm_range_pages_valid: has_devmem_pages || has_dma_mapping. */
export function pagesValid(r: DevPages): boolean {
  return r.hasDma || r.hasDevmem;
}

/** What a read of VA page p returns: the system page's content, or the device page's. */
export function content(g: G, p: number): number {
  const a = g.pages[p]!.dev;
  return a === NONE ? g.data[p]! : g.devmem[a]!.vdata[p - g.devmem[a]!.start]!;
}

/** Store into whatever page backs VA page p now. */
export function setContent(g: Draft<SvmGlobals>, p: number, v: number): void {
  const a = g.pages[p]!.dev;
  if (a === NONE) g.data[p] = v;
  else g.devmem[a]!.vdata[p - g.devmem[a]!.start] = v;
}

/**
 * drm_gpusvm_range_chunk_size (DOMAIN.md §1.2): the largest chunk around `page` inside the VMA,
 * the notifier (the whole modeled VA) and [lo, hi), overlapping no range unless it is one page.
 */
export function chunkFor(g: G, cfg: SvmConfig, page: number, lo: number, hi: number, inst = 0): [number, number] | undefined {
  const vma = vmaAt(g, page);
  if (!vma) return undefined;
  // `start >= drm_gpusvm_notifier_start(notifier) && end <= drm_gpusvm_notifier_end(notifier)`
  const size = cfg.notifierPages ?? g.pages.length;
  const [ns, ne] = [Math.floor(page / size) * size, Math.floor(page / size) * size + size];
  for (const chunk of cfg.chunkSizes) {
    const start = Math.floor(page / chunk) * chunk;
    const end = start + chunk;
    if (start < vma[0] || end > vma[1] || start < 0 || end > g.pages.length || start < lo || end > hi || start < ns || end > ne) continue;
    if (chunk !== 1 && overlapping(g.ranges, start, end).some((r) => r.inst === inst)) continue;
    return [start, end];
  }
  return undefined;
}

function emptyPages(n: number): DevPages {
  return { hasDma: false, hasDevmem: false, dmaAlloc: false, dma: new Array<number>(n).fill(NONE), dmaDev: new Array<number>(n).fill(NONE), mapped: false, invalidated: false };
}

/** A new range of instance `inst`, with `slots` pages sets (one per device the instance serves). */
export function newRange(start: number, end: number, id: number, migrateDevmem = false, inst = 0, slots = 1): Range {
  return {
    ...emptyPages(end - start),
    id,
    inst,
    start,
    end,
    unmapped: false,
    partialUnmap: false,
    migrateDevmem,
    pendingStart: NONE,
    pendingEnd: NONE,
    peers: Array.from({ length: slots - 1 }, () => emptyPages(end - start)),
  };
}

/** drm_gpusvm_range_insert: keep the tree sorted by start. */
export function insertRange(g: Draft<SvmGlobals>, r: Range): void {
  const i = g.ranges.findIndex((x) => x.start > r.start);
  g.ranges.splice(i < 0 ? g.ranges.length : i, 0, r as Draft<Range>);
}

/**
 * drm_gpusvm_range_remove: drop the range (by id) from its tree. `unqueue` (the default): the
 * caller also takes it off the GC list, as xe's madvise (`list_del`) and amdgpu v8 08/18
 * (`amdgpu_svm_range_unqueue`) do, and as the GC itself has done by dequeuing it. Otherwise a
 * queued range stays on the list, alive through the list's reference, as an orphan the GC will
 * dequeue and remove again (amdgpu V3 08/12's amdgpu_svm_range_invalidate_interval).
 */
export function removeRange(g: Draft<SvmGlobals>, id: number, unqueue = true): void {
  const i = g.ranges.findIndex((x) => x.id === id);
  const k = g.gcList.indexOf(id);
  if (i >= 0) {
    const [r] = g.ranges.splice(i, 1);
    if (!unqueue && k >= 0) g.orphans.push(r!);
  }
  if (unqueue && k >= 0) g.gcList.splice(k, 1);
}

/** A range on a GC list by id: in its tree, or an orphan the tree no longer holds. */
export function queuedRange(g: Draft<SvmGlobals>, id: number): Draft<Range> | undefined;
export function queuedRange(g: SvmGlobals, id: number): Range | undefined;
export function queuedRange(g: G, id: number): Range | Draft<Range> | undefined {
  return g.ranges.find((r) => r.id === id) ?? g.orphans.find((r) => r.id === id);
}

/** Drop an orphan (by id): its last reference went. */
export function dropOrphan(g: Draft<SvmGlobals>, id: number): void {
  const i = g.orphans.findIndex((x) => x.id === id);
  if (i >= 0) g.orphans.splice(i, 1);
}

/**
 * __drm_gpusvm_unmap_pages on every device's pages of the range: drop the DMA mappings, clear
 * has_dma_mapping and has_devmem_pages.
 */
export function unmapPages(r: Draft<Range>): void {
  for (const p of [r, ...r.peers]) {
    p.hasDma = false;
    p.hasDevmem = false;
    p.dma.fill(NONE);
    p.dmaDev.fill(NONE);
  }
}

/** Clear device `dev`'s GPU PTEs of a range (its TLB keeps the entries until flushed). */
export function zapPtes(g: Draft<SvmGlobals>, r: Range, dev = 0): void {
  for (let p = r.start; p < r.end; p++) {
    const i = pteIndex(g, dev, p);
    g.pte[i] = NONE;
    g.pteDev[i] = NONE;
  }
}

/** Zap device `dev`'s PTEs of pages [from, to). */
export function zapPages(g: Draft<SvmGlobals>, dev: number, from: number, to: number): void {
  for (let p = from; p < to; p++) {
    const i = pteIndex(g, dev, p);
    g.pte[i] = NONE;
    g.pteDev[i] = NONE;
  }
}

/** A TLB flush on device `dev`: its cached translations now match its page table. */
export function flushTlb(g: Draft<SvmGlobals>, dev = 0): void {
  for (let p = 0; p < g.pages.length; p++) {
    const i = pteIndex(g, dev, p);
    g.tlb[i] = g.pte[i]!;
    g.tlbDev[i] = g.pteDev[i]!;
  }
}

/** Queue device `dev`'s TLB invalidation of a range's pages, which completes later (tlb_inval). */
export function queueTlbInval(g: Draft<SvmGlobals>, r: Range, dev = 0): void {
  for (let p = r.start; p < r.end; p++) g.tlbInval[dev]! |= 1 << p;
}

/** The queued TLB invalidation of device `dev` completes: its pages' TLB entries follow the PTEs. */
export function completeTlbInval(g: Draft<SvmGlobals>, dev: number): void {
  for (let p = 0; p < g.pages.length; p++) {
    if (!(g.tlbInval[dev]! & (1 << p))) continue;
    const i = pteIndex(g, dev, p);
    g.tlb[i] = g.pte[i]!;
    g.tlbDev[i] = g.pteDev[i]!;
  }
  g.tlbInval[dev] = 0;
}

/**
 * For each device of `devs` (slot order): zap its PTEs of the ranges whose pages it has mapped
 * (only those inside `within` = [from, to), if given), `mark` those pages (gpu_mapped = false /
 * tile_invalidated), and flush its TLB if it zapped any.
 */
export function zapMapped(
  g: Draft<SvmGlobals>,
  ranges: readonly Draft<Range>[],
  devs: readonly number[],
  mark: (pg: Draft<DevPages>) => void,
  within?: readonly [number, number],
): void {
  devs.forEach((dev, slot) => {
    let zapped = false;
    for (const r of ranges) {
      const pg = pagesOf(r, slot);
      if (!pg.mapped) continue;
      if (within) zapPages(g, dev, Math.max(r.start, within[0]), Math.min(r.end, within[1]));
      else zapPtes(g, r, dev);
      mark(pg);
      zapped = true;
    }
    if (zapped) flushTlb(g, dev);
  });
}

/** Write the GPU's PTEs of a range from its pages' DMA mapping; the GPU may cache them at once. */
export function writePtes(g: Draft<SvmGlobals>, r: Range, gpu: Gpu = GPU0): void {
  const pg = pagesOf(r, gpu.slot);
  for (let p = r.start; p < r.end; p++) {
    const i = pteIndex(g, gpu.dev, p);
    g.pte[i] = g.tlb[i] = pg.dma[p - r.start]!;
    g.pteDev[i] = g.tlbDev[i] = pg.dmaDev[p - r.start]!;
  }
}

/**
 * amdgpu_svm_attr_set_range: set `value` on [start, end) segment by segment. An existing range
 * that crosses a bound is split into head, middle and tail (RANGE_SPLIT); a middle keeps its own
 * bounds; each hole inside [start, end) becomes a range of its own. True if anything was split.
 */
export function setAttrs(attrs: Draft<AttrRange>[], start: number, end: number, value: number): boolean {
  let split = false;
  const out: AttrRange[] = [];
  let cursor = start;
  for (const a of attrs) {
    if (a.end <= start || end <= a.start) {
      out.push({ ...a });
      continue;
    }
    if (a.start > cursor) out.push({ start: cursor, end: a.start, value });
    if (a.start < start) {
      out.push({ start: a.start, end: start, value: a.value });
      split = true;
    }
    out.push({ start: Math.max(a.start, start), end: Math.min(a.end, end), value });
    if (end < a.end) {
      out.push({ start: end, end: a.end, value: a.value });
      split = true;
    }
    cursor = Math.min(a.end, end);
  }
  if (cursor < end) out.push({ start: cursor, end, value });
  out.sort((x, y) => x.start - y.start);
  attrs.splice(0, attrs.length, ...out);
  return split;
}

/** amdgpu_svm_attr_clear_pages: remove the attributes of [start, end) (splitting ranges). */
export function clearAttrs(attrs: Draft<AttrRange>[], start: number, end: number): void {
  const out: AttrRange[] = [];
  for (const a of attrs) {
    if (a.start < start) out.push({ start: a.start, end: Math.min(a.end, start), value: a.value });
    if (a.end > end) out.push({ start: Math.max(a.start, end), end: a.end, value: a.value });
  }
  attrs.splice(0, attrs.length, ...out);
}

/** xe_svm_range_set_default_attr: the attributes of [start, end) go back to the default. */
export function resetAttrs(attrs: Draft<AttrRange>[], start: number, end: number): void {
  if (overlapping(attrs, start, end).length === 0) return;
  setAttrs(attrs, start, end, 0);
}

/** The attribute value of a page, NONE if no attribute range covers it. */
export function attrValue(g: G, page: number): number {
  return attrAt(g, page)?.value ?? NONE;
}

/** Ghost: record that SET_ATTR / madvise set `value` on [start, end) of the current mappings. */
export function recordAttrSet(g: Draft<SvmGlobals>, start: number, end: number, value: number, owedAtStart = 0): void {
  for (let p = start; p < end; p++) {
    g.attrSetVma[p] = g.pages[p]!.mapped ? g.pages[p]!.vma : 0;
    g.attrSetValue[p] = value;
    g.attrSetAfterUnmap[p] = (owedAtStart & (1 << p)) !== 0;
    // Set explicitly after the unmap (xe madvise on the mirror VMA): new attributes, which the
    // unmap's policy does not govern.
    if (!g.pages[p]!.mapped) g.attrAtUnmap[p] = MAPPED;
  }
}

/** Ghost: the pages whose munmap has returned with its attribute policy still owed (a bitmask). */
export const owedAfterUnmap = (g: SvmGlobals): number => g.attrOwed.reduce((m, o, p) => (o === UNMAP_DONE_OWED ? m | (1 << p) : m), 0);

/**
 * Ghost: the GC applies the policy a munmap owes [lo, hi). An attribute set on a page's current
 * mapping by an ioctl that started before that munmap returned is linearized before the munmap
 * (it set the old mapping's attributes, which the policy then cleared): it is no longer a
 * setting of the current mapping (invariants/attributes.ts).
 */
export function payAttrDebt(g: Draft<SvmGlobals>, lo: number, hi: number): void {
  for (let p = lo; p < hi; p++) {
    if (g.attrOwed[p] === 0) continue;
    g.attrOwed[p] = 0;
    if (g.pages[p]!.mapped && g.attrSetVma[p] === g.pages[p]!.vma && !g.attrSetAfterUnmap[p]) g.attrSetVma[p] = 0;
  }
}

/** The hole around `page` in the attribute tree, as [start, end). */
export function attrHole(attrs: readonly AttrRange[], page: number, pages: number): [number, number] {
  let start = 0;
  let end = pages;
  for (const a of attrs) {
    if (a.end <= page) start = Math.max(start, a.end);
    else if (a.start > page) end = Math.min(end, a.start);
  }
  return [start, end];
}
