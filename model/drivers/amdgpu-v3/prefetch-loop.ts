// amdgpu's prefetch loop (DOMAIN.md §3.5), V3 07/12 amdgpu_svm_range_map_attr_range, run by
// SET_ATTR under svm_lock(W): page by page over the interval, find_or_insert, skip a range
// amdgpu_svm_range_is_valid finds mapped, optionally a migration (the VRAM composition), get_pages
// and the commit; any failure returns, abandoning the rest of the interval.

import { devices, type SvmConfig } from '../../config.ts';
import { boundByAttrs, rangeStarting } from '../../queries.ts';
import { EINVAL, NONE, OK, type SvmGlobals, type SvmLocals } from '../../state.ts';
import { findOrInsertSteps } from '../../steps/find-or-insert.ts';
import { getPagesSteps } from '../../steps/get-pages.ts';
import type { Exit, MapExits, SvmStep } from '../../steps/types.ts';

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
  // Any failure (no range, get_pages, the commit's -EAGAIN) returns, abandoning the rest of the
  // interval (amdgpu V3 amdgpu_svm_range_map_attr_range: `return ret;` at each).
  const fail: Exit = { effect: (l) => void (l.rid = NONE), to: () => done };
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
      effect: boundByAttrs,
      next: 'find_or_insert',
    },
    ...findOrInsertSteps(cfg, { found: { to: () => (parts.isValid ? 'pf_is_valid' : mapFound) }, none: fail }, undefined, parts.devmemPossible),
    ...(parts.isValid ? [isValid(parts.isValid)] : []),
    ...(decide ? parts.decide! : []),
    ...getPagesSteps(cfg, { ok: { to: () => parts.commitStart }, fail }),
    ...parts.commit({ ok: nextRange, again: fail }),
  ];
}
