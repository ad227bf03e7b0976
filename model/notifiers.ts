// drm_gpusvm notifiers (DOMAIN.md §1.2): each instance's VA is cut into notifier_size windows,
// one mmu_interval_notifier each, with its own invalidate_seq. With `notifierPages` set they are
// inserted on demand by drm_gpusvm_range_find_or_insert and removed with their last range
// (drm_gpusvm_range_remove); unset, one notifier per instance covers the modeled VA for the whole
// run, as when ranges outside the model (a notifier is 512 MiB) keep it alive. A notifier is a
// slot: index inst * slots + k, its pages [k * size, (k + 1) * size).

import type { SvmConfig } from './config.ts';
import { instances } from './gpu.ts';
import { MN_DEFERRED, MN_IN_TREE, MN_REMOVED, type SvmGlobals } from './state.ts';

/** Pages per notifier. */
export const notifierPages = (cfg: SvmConfig): number => cfg.notifierPages ?? cfg.pages;
/** Notifiers are inserted and removed by drm_gpusvm (else: one, present all along). */
export const onDemand = (cfg: SvmConfig): boolean => cfg.notifierPages !== undefined;
/** Notifier windows per instance. */
export const notifierSlots = (cfg: SvmConfig): number => Math.ceil(cfg.pages / notifierPages(cfg));
/** Every notifier slot of every instance. */
export const allNotifiers = (cfg: SvmConfig): number => instances(cfg) * notifierSlots(cfg);

/** The notifier covering `page` in instance `inst`. */
export const notifierOf = (cfg: SvmConfig, inst: number, page: number): number => inst * notifierSlots(cfg) + Math.floor(page / notifierPages(cfg));

/** Instance and window of a notifier slot, and its pages [start, end). */
export function notifierWindow(cfg: SvmConfig, n: number): { inst: number; k: number; start: number; end: number } {
  const slots = notifierSlots(cfg);
  const k = n % slots;
  const size = notifierPages(cfg);
  return { inst: Math.floor(n / slots), k, start: k * size, end: Math.min((k + 1) * size, cfg.pages) };
}

/** In the mm's interval tree, where an invalidation calls it (a deferred removal still is). */
export const inMmTree = (g: SvmGlobals, n: number): boolean => g.mnState[n] === MN_IN_TREE || g.mnState[n] === MN_DEFERRED;
/** drm_gpusvm holds it (drm_gpusvm_notifier_find finds it): it is not removed. */
export const present = (g: SvmGlobals, n: number): boolean => g.mnState[n] !== MN_REMOVED;

