// An independent derivation of state counts: each classic model rewritten as a plain successor
// function over tuples, explored with a JS Set of string keys. It shares no code with the engine
// (no immer, no fingerprints, no lock table), so agreement on counts checks the engine.

export interface Counts {
  states: number;
  transitions: number;
  maxDepth: number;
}

export function enumerate<S>(initial: S, successors: (s: S) => S[], key: (s: S) => string = (s) => JSON.stringify(s)): Counts {
  const seen = new Set<string>([key(initial)]);
  let frontier = [initial];
  let transitions = 0;
  let depth = 0;
  for (;;) {
    const next: S[] = [];
    for (const s of frontier) {
      for (const t of successors(s)) {
        transitions++;
        const k = key(t);
        if (!seen.has(k)) {
          seen.add(k);
          next.push(t);
        }
      }
    }
    if (next.length === 0) return { states: seen.size, transitions, maxDepth: depth };
    frontier = next;
    depth++;
  }
}

/** Peterson's algorithm, [pc0, pc1, flag0, flag1, turn]; pc 0 set_flag, 1 set_turn, 2 wait, 3 critical. */
export function petersonCounts(): Counts {
  type S = [number, number, number, number, number];
  return enumerate<S>([0, 0, 0, 0, 0], (s) => {
    const out: S[] = [];
    for (const i of [0, 1]) {
      const j = 1 - i;
      const t = [...s] as S;
      const pc = s[i]!;
      if (pc === 0) {
        t[2 + i] = 1;
        t[i] = 1;
      } else if (pc === 1) {
        t[4] = j;
        t[i] = 2;
      } else if (pc === 2) {
        if (!(s[2 + j] === 0 || s[4] === i)) continue;
        t[i] = 3;
      } else {
        t[2 + i] = 0;
        t[i] = 0;
      }
      out.push(t);
    }
    return out;
  });
}

/**
 * Dining philosophers, resource-ordered or left-first: per philosopher [pc, meals] with pc
 * 0 before first fork, 1 holding first, 2 holding both (eating), 3 holding first again, 4 done.
 */
export function philosophersCounts(n: number, rounds: number, ordered: boolean): Counts {
  type S = number[]; // pc0, meals0, pc1, meals1, ...
  const forks = (i: number): [number, number] => {
    const l = i;
    const r = (i + 1) % n;
    return ordered ? [Math.min(l, r), Math.max(l, r)] : [l, r];
  };
  const held = (s: S, f: number): boolean =>
    Array.from({ length: n }, (_, i) => i).some((i) => {
      const pc = s[2 * i]!;
      const [first, second] = forks(i);
      return (first === f && pc >= 1 && pc <= 3) || (second === f && pc === 2);
    });
  return enumerate<S>(new Array(2 * n).fill(0), (s) => {
    const out: S[] = [];
    for (let i = 0; i < n; i++) {
      const pc = s[2 * i]!;
      const [first, second] = forks(i);
      const t = [...s];
      if (pc === 0 && !held(s, first)) t[2 * i] = 1;
      else if (pc === 1 && !held(s, second)) t[2 * i] = 2;
      else if (pc === 2) t[2 * i] = 3;
      else if (pc === 3) {
        const meals = rounds > 0 ? s[2 * i + 1]! + 1 : 0;
        t[2 * i + 1] = meals;
        t[2 * i] = rounds > 0 && meals >= rounds ? 4 : 0;
      } else continue;
      out.push(t);
    }
    return out;
  });
}
