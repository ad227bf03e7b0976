// Lock-order analysis in the style of Linux lockdep, over every transition the search takes.
// Lock classes are the declared lock names. When a step acquires lock B while its process holds
// A (held before the step, or taken earlier in the same step), the graph gets the edge A -> B,
// kept with the first transition that created it; BFS order makes that witness one of the
// shortest. A cycle in the graph is a potential deadlock even when no deadlocked state is
// reachable within the bounds: the interleaving that closes it may need more processes.
//
// Reader/writer rule (as lockdep treats down_read): an rwsem read acquisition is not recursive,
// since a reader queues behind a waiting writer, so a cycle through read acquisitions is
// reported like any other; edges keep both modes so the report shows them.
//
// Memory allocation is lockdep's pseudo-lock `fs_reclaim`: a step that may allocate acquires it
// (after the step's own locks). A model primes the edges reclaim can create, e.g.
// fs_reclaim -> notifier_lock (reclaim runs MMU notifiers, drm_gpusvm_init primes it), so an
// allocation under that lock closes a cycle. Primed edges have no trace (`at` = -1).

import type { LockMode } from './model.ts';

export interface LockRef {
  readonly lock: string;
  readonly mode: LockMode;
}

export interface LockEdge {
  readonly from: LockRef;
  readonly to: LockRef;
  /** The first transition that created the edge: from state `at`, transition `tid`. */
  readonly at: number;
  readonly tid: number;
}

/** The pseudo-lock standing for memory reclaim. */
export const FS_RECLAIM = 'fs_reclaim';

/** A rule about single edges (e.g. "the notifier never takes the driver lock"). */
export interface LockRule {
  readonly id: string;
  readonly statement: string;
  /** True if this edge breaks the rule. */
  readonly breaks: (e: LockEdge) => boolean;
}

export interface LockCycle {
  /** The edges around the cycle, each with its witness. */
  readonly edges: readonly LockEdge[];
}

export class LockOrderRecorder {
  private readonly edges = new Map<string, LockEdge>();

  /** A transition from state `at` that acquires `acquires` (in order) while holding `held`. */
  record(at: number, tid: number, held: readonly LockRef[], acquires: readonly LockRef[]): void {
    const holding = [...held];
    for (const a of acquires) {
      for (const h of holding) {
        if (h.lock === a.lock) continue;
        const key = `${h.lock}:${h.mode}>${a.lock}:${a.mode}`;
        if (!this.edges.has(key)) this.edges.set(key, { from: h, to: a, at, tid });
      }
      holding.push(a);
    }
  }

  /** An edge the model declares (lockdep priming): no trace witnesses it. */
  prime(from: LockRef, to: LockRef): void {
    const key = `${from.lock}:${from.mode}>${to.lock}:${to.mode}`;
    if (!this.edges.has(key)) this.edges.set(key, { from, to, at: -1, tid: -1 });
  }

  allEdges(): LockEdge[] {
    return [...this.edges.values()];
  }

  /** Every elementary cycle over lock classes (modes merged), each once, smallest lock first. */
  cycles(): LockCycle[] {
    const byFrom = new Map<string, LockEdge[]>();
    for (const e of this.edges.values()) {
      const list = byFrom.get(e.from.lock) ?? [];
      // One edge per pair of classes: the first recorded (modes are shown from it).
      if (!list.some((x) => x.to.lock === e.to.lock)) list.push(e);
      byFrom.set(e.from.lock, list);
    }
    const locks = [...new Set([...this.edges.values()].flatMap((e) => [e.from.lock, e.to.lock]))].sort();
    const found: LockCycle[] = [];
    const path: LockEdge[] = [];
    const visit = (start: string, at: string, seen: Set<string>): void => {
      for (const e of byFrom.get(at) ?? []) {
        if (e.to.lock === start) found.push({ edges: [...path, e] });
        else if (e.to.lock > start && !seen.has(e.to.lock)) {
          seen.add(e.to.lock);
          path.push(e);
          visit(start, e.to.lock, seen);
          path.pop();
          seen.delete(e.to.lock);
        }
      }
    };
    for (const start of locks) visit(start, start, new Set([start]));
    return found;
  }
}
