// Attributes and ranges (DOMAIN.md §4 items 9 and 10, §3.4).

import type { ActionProperty, StateInvariant } from '../explorer/index.ts';
import type { AttrOnUnmap } from '../model/config.ts';
import { attrValue } from '../model/queries.ts';
import { FINI, MAPPED, NONE, type SvmGlobals, type SvmLocals } from '../model/state.ts';
import { attrChanged, locals, quiescent, type S } from './helpers.ts';

/** The steps whose job is to set attributes; every other attribute change is a side effect. */
const ATTRIBUTE_WRITERS = new Set(['attr_set', 'madvise_set', 'unregistered_insert']);

/**
 * What the version's policy makes of unmapped VA's attributes (NONE: none; 0: the defaults), or
 * undefined under 'keep', which changes nothing.
 */
const policyValue = (policy: AttrOnUnmap): number | undefined => (policy === 'clear' ? NONE : policy === 'reset' ? 0 : undefined);

/**
 * Judged against linearizations: a GC step that changes a mapped page's attributes is fine when
 * the change is what a munmap of that page owes (the policy's value, with the munmap's debt still
 * open, attrOwed): ordering the munmap, with its policy, before the mmap that mapped the page
 * again gives the same attributes. Anything else changes attributes no operation let it change.
 */
export function attrsSurviveRangeDestruction(policy: AttrOnUnmap): ActionProperty<SvmGlobals, SvmLocals> {
  const owed = policyValue(policy);
  const allowed = (before: S, after: S, p: number): boolean =>
    !after.g.pages[p]!.mapped || (owed !== undefined && before.g.attrOwed[p] !== 0 && attrValue(after.g, p) === owed);
  return {
    kind: 'action',
    id: 'attrs-survive-range-destruction',
    reads: ['attrs', 'pages', 'attrOwed'],
    statement: 'destroying GPU ranges (GC, partial unmap, split) never changes the attributes of pages the CPU maps, beyond what an unmap of them owes',
    justification:
      'DOMAIN.md §4 item 10: "This separation ensures attributes survive when GPU ranges are destroyed (partial munmap, ' +
      'attribute split, GC)" (V3 cover letter); the GC may clear or reset attributes only of unmapped VA (V3-11, V6-0, xe_svm.c). ' +
      'Judged against linearizations: a late GC applying the policy of the munmap it collects, to VA mapped again since, is the ' +
      'munmap ordered before that mmap.',
    holds: (before, after, t) => ATTRIBUTE_WRITERS.has(t.step.label) || attrChanged(before, after).every((p) => allowed(before, after, p)),
    explain: (before, after, t) => {
      const p = attrChanged(before, after).find((x) => !allowed(before, after, x))!;
      return `${t.process} ${t.step.label} changes the attributes of page ${p} (${attrValue(before.g, p)} -> ${attrValue(after.g, p)}), which the CPU maps and no unmap of it owes`;
    },
  };
}

function policyBroken(g: SvmGlobals, policy: AttrOnUnmap): number | undefined {
  return g.pages
    .map((_, p) => p)
    .find((p) => {
      if (g.pages[p]!.mapped || g.attrAtUnmap[p] === MAPPED) return false;
      const v = attrValue(g, p);
      if (policy === 'clear') return v !== NONE;
      if (policy === 'reset') return v !== NONE && v !== 0;
      return v !== g.attrAtUnmap[p];
    });
}

/** `idle`: the end labels of the model's programs (a process waiting there counts as settled). */
export function unmappedAttrPolicy(policy: AttrOnUnmap, idle: ReadonlySet<string>): StateInvariant<SvmGlobals, SvmLocals> {
  const rule = { clear: 'have none', reset: 'have the defaults', keep: 'keep what they had' }[policy];
  return {
    kind: 'state',
    id: 'unmapped-attr-policy',
    reads: ['attrs', 'pages', 'gcList', 'gcPending', 'gcRunning', 'attrAtUnmap', 'life'],
    readsProcesses: true,
    statement: `once everything settled, the attributes unmapped VA had at the unmap follow the version's policy (${policy}: they ${rule}), while the VM is open`,
    justification:
      "DOMAIN.md §4 item 10: V3 clears the attributes of the unmapped interval in GC (amdgpu_svm_attr_clear_pages, V3-11); " +
      'V5+ keeps them ("Preserve attributes when unmap, GC only removes GPU ranges", V6-0); xe resets the VMA attributes ' +
      '(xe_svm_range_set_default_attr; Brost: "We reset our attributes upon munmap too").',
    // A closed VM keeps no attributes to speak of: teardown destroys the attribute tree (amdgpu
    // amdgpu_svm_attr_tree_destroy) or the VMAs holding them (xe_vm_close_and_put).
    holds: (s) => !quiescent(s, idle) || s.g.life[0]! >= FINI || policyBroken(s.g, policy) === undefined,
    explain: (s) => {
      const p = policyBroken(s.g, policy)!;
      return `page ${p} was unmapped and everything settled, but its attribute is ${attrValue(s.g, p)} (policy ${policy}: ${rule})`;
    },
  };
}

function lostSetting(g: SvmGlobals): number | undefined {
  return g.pages
    .map((_, p) => p)
    .find((p) => g.pages[p]!.mapped && g.attrSetVma[p] === g.pages[p]!.vma && attrValue(g, p) !== g.attrSetValue[p]);
}

export const reuseKeepsNewAttrs: StateInvariant<SvmGlobals, SvmLocals> = {
  kind: 'state',
  id: 'reuse-keeps-new-attrs',
  reads: ['attrs', 'attrSetValue', 'pages', 'attrSetVma'],
  statement: 'attributes set on a mapping stay as set while that mapping lives (also at a reused address)',
  justification:
    'DOMAIN.md §4 item 10: "a new mapping at a reused address never loses attributes set on it after the reuse"; the ' +
    'attribute layer is "preserved across range lifecycle events" (V3 cover letter). Judged against linearizations: a ' +
    'setting by an ioctl that started before the munmap of the old mapping returned may be ordered before that munmap, ' +
    'whose policy the GC then applies (the ghost forgets it then: payAttrDebt).',
  holds: (s) => lostSetting(s.g) === undefined,
  explain: (s) => {
    const p = lostSetting(s.g)!;
    return `page ${p} was given attribute ${s.g.attrSetValue[p]} on its current mapping, but now has ${attrValue(s.g, p)}`;
  },
};

function crossing(g: SvmGlobals, start: number, end: number): string | undefined {
  const r = g.ranges.find((x) => (x.start < start && start < x.end) || (x.start < end && end < x.end));
  return r && `[${r.start}, ${r.end})`;
}

export const setAttrLeavesNoCrossingRange: ActionProperty<SvmGlobals, SvmLocals> = {
  kind: 'action',
  id: 'set-attr-leaves-no-crossing-range',
  reads: ['ranges', 'attrs'],
  statement: 'when SET_ATTR returns, no range crosses a bound of the interval it changed',
  justification:
    'DOMAIN.md §4 item 9 and §3.4: "Ranges that cross the new boundary and old boundary are removed entirely so the GPU fault ' +
    'handler can recreate them" (V3 cover letter, amdgpu_svm_range_invalidate_interval); xe_svm_unmap_address_range. Not at ' +
    'every state: split and apply are not atomic (D-3).',
  holds: (before, after, t) => {
    const returns = t.step.label === 'unlock_svm' || t.step.label === 'unlock_vm';
    if (!returns || !/^(set_attr|madvise)/.test(t.program)) return true;
    const l = locals(before, t);
    return crossing(after.g, l.page, l.end) === undefined;
  },
  explain: (before, after, t) => {
    const l = locals(before, t);
    return `${t.process} returns, but the range ${crossing(after.g, l.page, l.end)} crosses a bound of [${l.page}, ${l.end})`;
  },
};
