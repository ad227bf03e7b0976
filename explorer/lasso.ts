// Bounded liveness by cycle search: a depth-first search over the whole state graph, looking
// for a back edge (to a state on the current path) that closes a cycle along which something
// stays pending. The visited set is the same fingerprint table as BFS; only the current path is
// kept as states. The result is a lasso: the path from an initial state to the cycle's first
// state, then the cycle back to it.
//
// Complete when pending is monotone (a name that stops being pending never comes back), as
// "this fault has not finished" is: every cycle has a back edge, and the path it closes stays
// pending wherever the cycle's first state is pending.

import type { StateSpace } from './space.ts';
import { FingerprintSet } from './visited.ts';

export interface Lasso {
  readonly root: number;
  /** Transitions from the initial state to the first state of the cycle. */
  readonly prefix: readonly number[];
  /** Transitions around the cycle, back to its first state. */
  readonly cycle: readonly number[];
  /** What stays pending all along the cycle. */
  readonly pending: readonly string[];
}

interface Frame<S> {
  readonly state: S;
  readonly key: string;
  readonly succ: { tid: number; next: S }[];
  i: number;
  /** The transition taken out of this frame to the next one on the path. */
  tid: number;
}

export function findLasso<S>(space: StateSpace<S>, pending: (s: S) => readonly string[]): Lasso | undefined {
  const seen = new FingerprintSet();
  const fp = new Uint32Array(2);
  const keyOf = (s: S): string => {
    space.fingerprint(s, fp);
    return `${fp[0]}:${fp[1]}`;
  };
  const successors = (s: S): { tid: number; next: S }[] => {
    const out: { tid: number; next: S }[] = [];
    space.expand(s, { onNext: (tid, next) => out.push({ tid, next }), onViolation: () => {} });
    return out;
  };
  const roots = space.initialStates();
  for (let root = 0; root < roots.length; root++) {
    const s0 = roots[root]!;
    space.fingerprint(s0, fp);
    if (!seen.add(fp[0]!, fp[1]!)) continue;
    const path: Frame<S>[] = [{ state: s0, key: keyOf(s0), succ: successors(s0), i: 0, tid: -1 }];
    const onPath = new Map<string, number>([[path[0]!.key, 0]]);
    while (path.length > 0) {
      const top = path[path.length - 1]!;
      if (top.i >= top.succ.length) {
        onPath.delete(top.key);
        path.pop();
        continue;
      }
      const { tid, next } = top.succ[top.i++]!;
      top.tid = tid;
      const key = keyOf(next);
      const back = onPath.get(key);
      if (back !== undefined) {
        const cycleFrames = path.slice(back);
        const stuck = cycleFrames.reduce<readonly string[]>((acc, f) => acc.filter((x) => pending(f.state).includes(x)), pending(cycleFrames[0]!.state));
        if (stuck.length > 0) {
          return { root, prefix: path.slice(0, back).map((f) => f.tid), cycle: cycleFrames.map((f) => f.tid), pending: stuck };
        }
        continue;
      }
      space.fingerprint(next, fp);
      if (!seen.add(fp[0]!, fp[1]!)) continue;
      onPath.set(key, path.length);
      path.push({ state: next, key, succ: successors(next), i: 0, tid: -1 });
    }
  }
  return undefined;
}
