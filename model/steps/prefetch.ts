// Shared by the drivers' attribute ioctls (DOMAIN.md §3.4, §3.5): setting the attributes of an
// interval (with the ghost record the attribute invariants read), and the prefetch loop that maps
// an interval page by page (find_or_insert, optionally a migration, get_pages, the driver's
// commit). The ioctls themselves are the drivers': amdgpu SET_ATTR, xe madvise.

import type { Draft } from 'immer';
import { devices, type SvmConfig } from '../config.ts';
import { attrAt, owedAfterUnmap, recordAttrSet, rangeStarting, setAttrs } from '../queries.ts';
import { EINVAL, NONE, OK, type Range, type SvmGlobals, type SvmLocals } from '../state.ts';
import { findOrInsertSteps } from './find-or-insert.ts';
import { getPagesSteps } from './get-pages.ts';
import type { Exit, MapExits, SvmStep } from './types.ts';

/** The range crosses the interval's bounds [l.page, l.end). */
export const crosses = (r: Range, l: SvmLocals): boolean => r.start < l.page || r.end > l.end;

/** Set the new attributes on [l.page, l.end), remembering whether an attribute range split. */
export function setAttributes(g: Draft<SvmGlobals>, l: Draft<SvmLocals>): void {
  l.split = setAttrs(g.attrs, l.page, l.end, l.value);
  recordAttrSet(g, l.page, l.end, l.value, l.owedAtStart);
  l.owedAtStart = 0;
}

/** Ghost, at an attribute ioctl's first step: which pages' munmaps had returned with their policy owed. */
export const snapshotOwed = (g: SvmGlobals, l: Draft<SvmLocals>): void => void (l.owedAtStart = owedAfterUnmap(g));

/** What setAttributes touches: the ghost record reads the CPU mappings, and on unmapped VA resets attrAtUnmap. */
export const SET_ATTRIBUTES = { reads: ['pages'], writes: ['attrs', 'attrSetVma', 'attrSetValue', 'attrAtUnmap', 'attrSetAfterUnmap'] } as const;

/** What a driver puts into the prefetch loop. */
export interface PrefetchParts {
  /** `pf_bounds`: the bounds a new range may take (the attribute range / the VMA), with the driver's source. */
  readonly bounds: Pick<SvmStep, 'kernelFn' | 'locks' | 'cite' | 'unsourced'>;
  /** With device memory: `pf_decide` and the migration, each path ending at `gp_read_begin`. */
  readonly decide?: readonly SvmStep[];
  /** The driver's commit of a range, starting at `commitStart`. */
  readonly commit: (x: MapExits) => SvmStep[];
  readonly commitStart: string;
  /** ctx.devmem_possible of the driver's find_or_insert. */
  readonly devmemPossible: boolean;
  /**
   * What a page that fails (no range, get_pages failing, the commit's -EAGAIN) does to the rest:
   * `skip` to the next page (the default), or `abandon` the loop, the ioctl returning the error
   * (amdgpu V3 amdgpu_svm_range_map_attr_range: `return ret;` at each).
   */
  readonly onFail?: 'skip' | 'abandon';
  /**
   * `pf_is_valid`, the driver's test of a range found already mapped, which then goes on with the
   * next range without get_pages or a commit (amdgpu_svm_range_is_valid); absent: none.
   */
  readonly isValid?: Pick<SvmStep, 'kernelFn' | 'locks' | 'cite' | 'note'> & { readonly reads: readonly string[]; readonly test: (g: SvmGlobals, l: SvmLocals) => boolean };
}

/** Prefetch: map page by page from l.page to l.end; each page skips past the range it mapped. */
export function prefetchSteps(cfg: SvmConfig, parts: PrefetchParts, done: string): SvmStep[] {
  // With device memory, each range may be migrated before it is mapped.
  const decide = devices(cfg) > 0 && parts.decide !== undefined;
  const nextRange: Exit = {
    reads: ['ranges'],
    effect: (l, g) => {
      l.page = rangeStarting(g, l.range)?.end ?? l.page + 1;
      l.rid = NONE;
    },
    to: (l) => (l.page < l.end ? 'pf_bounds' : done),
  };
  const skipPage: Exit = {
    effect: (l) => {
      l.page++;
      l.rid = NONE;
    },
    to: (l) => (l.page < l.end ? 'pf_bounds' : done),
  };
  const abandon: Exit = { effect: (l) => void (l.rid = NONE), to: () => done };
  const fail = parts.onFail === 'abandon' ? abandon : skipPage;
  const mapFound = decide ? 'pf_decide' : 'gp_read_begin';
  const isValid = (v: NonNullable<PrefetchParts['isValid']>): SvmStep => {
    const { test, reads, ...shown } = v;
    return {
      label: 'pf_is_valid',
      ...shown,
      reads: [...reads, ...(nextRange.reads ?? [])],
      // Valid: `addr = next_addr; continue;` (next_addr read after find_or_insert).
      effect: (g, l) => {
        l.ret = test(g, l) ? OK : EINVAL;
        if (l.ret === OK) nextRange.effect!(l, g);
      },
      next: (_g, l) => (l.ret === OK ? nextRange.to(l) : mapFound),
    };
  };
  return [
    {
      label: 'pf_bounds',
      ...parts.bounds,
      reads: ['attrs'],
      effect: (g, l) => {
        const a = attrAt(g, l.page);
        l.lo = a ? a.start : l.page;
        l.hi = a ? a.end : l.page + 1;
      },
      next: 'find_or_insert',
    },
    ...findOrInsertSteps(cfg, { found: { to: () => (parts.isValid ? 'pf_is_valid' : mapFound) }, none: fail }, undefined, parts.devmemPossible),
    ...(parts.isValid ? [isValid(parts.isValid)] : []),
    ...(decide ? parts.decide! : []),
    ...getPagesSteps(cfg, { ok: { to: () => parts.commitStart }, fail }),
    ...parts.commit({ ok: nextRange, again: fail }),
  ];
}
