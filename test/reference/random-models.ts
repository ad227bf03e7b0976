// Random models for the differential harness (issue 13): small, deterministic from a seed, and
// plain data only. Each is a few processes of labeled step programs over globals {a, b, c, arr}
// (ints kept mod 3, an int array of 0/1) and locals {v, w}, with mutexes and rwsems (balanced
// use, and now and then a deliberate misuse), guards, choices (sometimes none), several steps at
// one location, computed `next`, effects that sometimes throw, end labels or none, state
// invariants (some looking at the processes), action properties (on globals, on the step's label,
// on the processes before), non-monotone liveness properties, one or two initial states, and for
// some models a symmetric group. Every footprint (`reads`/`writes`) is declared exactly.
//
// `randomModel({ seed })` is a ModelSource export: worker threads rebuild the same model from it.

import type { ActionProperty, LivenessProperty, LockOp, Model, ProcessInstance, Program, StateInvariant, Step, StepContext } from '../../explorer/model.ts';
import { plainBfs, type PlainResult } from './plain-bfs.ts';

export interface RG {
  a: number;
  b: number;
  c: number;
  arr: number[];
}
export interface RL {
  v: number;
  w: number;
}
type F = 'a' | 'b' | 'c';
const FIELDS: readonly F[] = ['a', 'b', 'c'];

/** What a model has, for the known gaps (differential.ts) and for statistics. */
export interface Features {
  readonly symmetric: boolean;
  readonly schema: boolean;
  /** An action property judging `t.step.label`. */
  readonly labelAction: boolean;
  /** An action property reading `before.procs`. */
  readonly procsAction: boolean;
  /** Some step may misuse a lock or throw. */
  readonly errorSteps: boolean;
  readonly liveness: boolean;
}

/** Reachable states a model may have at most; larger draws are redrawn from the same stream. */
export const STATE_CAP = 1500;

/** A small seeded PRNG (mulberry32). */
function prng(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let x = t;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = prng(seed * 2654435761 + 12345);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
}

interface Part {
  readonly reads: readonly string[];
  readonly writes: readonly string[];
}

interface Gen {
  readonly rng: Rng;
  readonly symmetric: boolean;
  readonly arrLen: number;
  readonly locks: readonly { name: string; kind: 'mutex' | 'rwsem' }[];
  errorSteps: boolean;
  /** The field the program being drawn mostly touches (so that partial-order reduction has work). */
  home: F;
}

/** A field for a step: mostly its program's own. */
function field(x: Gen): F {
  return x.rng.chance(0.85) ? x.home : x.rng.pick(FIELDS);
}

type Guard = (g: RG, l: RL, ctx: StepContext) => boolean;
type Choices = (g: RG, l: RL, ctx: StepContext) => readonly number[];
type Effect = (g: RG, l: RL, ctx: StepContext) => void;
type Next = (g: RG, l: RL, ctx: StepContext) => string;

function genGuard(x: Gen): { f: Guard; part: Part } | undefined {
  const { rng } = x;
  if (!rng.chance(0.3)) return undefined;
  const k = rng.int(3);
  const f = field(x);
  switch (rng.int(x.arrLen > 0 ? 4 : 3)) {
    case 0:
      return { f: (g) => g[f] !== k, part: { reads: [f], writes: [] } };
    case 1:
      return { f: (g) => g[f] === k, part: { reads: [f], writes: [] } };
    case 2:
      return { f: (_g, l) => l.v !== k, part: { reads: [], writes: [] } };
    default: {
      const i = rng.int(x.arrLen);
      return { f: (g) => g.arr[i] === 0, part: { reads: ['arr'], writes: [] } };
    }
  }
}

function genChoices(x: Gen): { f: Choices; part: Part } | undefined {
  const { rng } = x;
  if (!rng.chance(0.3)) return undefined;
  const f = field(x);
  switch (rng.int(5)) {
    case 0:
      if (rng.chance(0.3)) return { f: () => [], part: { reads: [], writes: [] } };
      return { f: () => [0, 1, 2], part: { reads: [], writes: [] } };
    case 1:
      return { f: () => [0, 1], part: { reads: [], writes: [] } };
    case 2:
      return { f: (g) => (g[f] === 2 ? [] : [0, 1]), part: { reads: [f], writes: [] } };
    case 3:
      return { f: (_g, l) => [0, 1, 2].slice(0, 1 + l.v), part: { reads: [], writes: [] } };
    default:
      return { f: (g) => [g[f], 2].filter((c, i, a) => a.indexOf(c) === i), part: { reads: [f], writes: [] } };
  }
}

function genEffect(x: Gen): { f: Effect; part: Part } | undefined {
  const { rng } = x;
  const ops: { f: Effect; part: Part }[] = [];
  const n = rng.int(3);
  for (let i = 0; i < n; i++) {
    const f = field(x);
    const h = rng.chance(0.5) ? rng.pick(FIELDS.filter((y) => y !== f)) : f;
    switch (rng.int(x.symmetric ? 5 : 6)) {
      case 0:
        ops.push({ f: (g, _l, c) => void (g[f] = (g[f] + 1 + c.choice) % 3), part: { reads: [f], writes: [f] } });
        break;
      case 1:
        ops.push({ f: (g, l) => void (g[f] = (g[h] + l.v) % 3), part: { reads: [h], writes: [f] } });
        break;
      case 2:
        ops.push({ f: (_g, l, c) => void (l.v = (l.v + 1 + c.choice) % 3), part: { reads: [], writes: [] } });
        break;
      case 3:
        ops.push({ f: (g, l) => void (l.w = (g[f] + l.w) % 2), part: { reads: [f], writes: [] } });
        break;
      case 4:
        if (x.arrLen > 0) {
          const k = rng.int(x.arrLen);
          ops.push({ f: (g) => void (g.arr[k] = 1 - g.arr[k]!), part: { reads: ['arr'], writes: ['arr'] } });
        } else ops.push({ f: (_g, l) => void (l.w = 1 - l.w), part: { reads: [], writes: [] } });
        break;
      default:
        // Stores something of the pid: never in a symmetric model.
        ops.push({ f: (g, _l, c) => void (g[f] = (g[f] + c.pid) % 3), part: { reads: [f], writes: [f] } });
    }
  }
  if (rng.chance(0.1)) {
    x.errorSteps = true;
    const f = field(x);
    const k = rng.int(3);
    ops.splice(rng.int(ops.length + 1), 0, {
      f: (g, l) => {
        if (g[f] === k && l.v !== 2) throw new Error(`${f} is ${k}`);
      },
      part: { reads: [f], writes: [] },
    });
  }
  if (ops.length === 0) return undefined;
  return {
    f: (g, l, c) => {
      for (const o of ops) o.f(g, l, c);
    },
    part: { reads: ops.flatMap((o) => o.part.reads), writes: ops.flatMap((o) => o.part.writes) },
  };
}

function genProgram(x: Gen, name: string): { program: Program<RG, RL>; labels: string[]; locations: string[]; home: F } {
  const { rng } = x;
  x.home = rng.pick(FIELDS);
  const nLoc = 2 + rng.int(3);
  const locs = Array.from({ length: nLoc }, (_, i) => `${name}_${i}`);
  const endLabels = rng.chance(0.35) ? [rng.pick(locs.slice(1))] : [];
  interface Draft {
    label: string;
    at: string;
    named: boolean;
    locks: LockOp[];
  }
  const drafts: Draft[][] = locs.map((loc, i) => {
    const k = rng.chance(0.3) ? 2 + rng.int(2) : 1;
    return Array.from({ length: k }, (_, j) => (k === 1 && rng.chance(0.5) ? { label: loc, at: loc, named: false, locks: [] } : { label: `${name}_${i}${'xyz'[j]}`, at: loc, named: true, locks: [] }));
  });
  // Locks: a balanced acquire ... release along the straight path, sometimes a misuse.
  for (const lock of x.locks) {
    if (!rng.chance(0.5)) continue;
    const i = rng.int(nLoc);
    const j = i + rng.int(nLoc - i);
    const mode = lock.kind === 'rwsem' && rng.chance(0.5) ? 'read' : 'write';
    rng.pick(drafts[i]!).locks.push({ op: 'acquire', lock: lock.name, mode });
    // An rwsem held for write across a location in between is sometimes downgraded there
    // (downgrade_write): released for read. Either/or siblings of that step do not downgrade,
    // so their read release is a misuse both checkers must report alike.
    // The downgrade sits after the acquire, the release after the downgrade (moved one location on
    // when they would share one).
    const at = j > i + 1 ? i + 1 + rng.int(j - i - 1) : i + 1;
    const rel = at === j ? j + 1 : j;
    const downgrades = mode === 'write' && lock.kind === 'rwsem' && at < nLoc && rel < nLoc && rng.chance(0.5);
    if (downgrades) rng.pick(drafts[at]!).locks.push({ op: 'downgrade', lock: lock.name, mode: 'read' });
    rng.pick(drafts[downgrades ? rel : j]!).locks.push({ op: 'release', lock: lock.name, mode: downgrades ? 'read' : mode });
  }
  if (x.locks.length > 0 && rng.chance(0.12)) {
    x.errorSteps = true;
    const lock = rng.pick(x.locks);
    const d = rng.pick(rng.pick(drafts));
    const op = rng.chance(0.5) ? 'acquire' : 'release';
    if (!d.locks.some((o) => o.lock === lock.name && o.op === op)) d.locks.push({ op, lock: lock.name, mode: 'write' });
  }
  const steps: Step<RG, RL>[] = [];
  drafts.forEach((ds, i) => {
    for (const d of ds) {
      const guard = genGuard(x);
      const choices = genChoices(x);
      const effect = genEffect(x);
      const straight = i + 1 < nLoc ? locs[i + 1]! : 'done';
      let next: string | Next = straight;
      let nextPart: Part = { reads: [], writes: [] };
      const r = rng.int(100);
      if (r < 22) next = locs[rng.int(i + 1)]!;
      else if (r < 40) {
        const other = rng.chance(0.5) ? locs[rng.int(nLoc)]! : 'done';
        if (rng.chance(0.5)) {
          const f = field(x);
          next = (g, l) => ((g[f] + l.v) % 2 === 0 ? straight : other);
          nextPart = { reads: [f], writes: [] };
        } else next = (_g, l, c) => (l.w === 1 || c.choice === 1 ? other : straight);
      }
      const parts = [guard?.part, choices?.part, effect?.part, nextPart].filter((p): p is Part => p !== undefined);
      const reads = [...new Set(parts.flatMap((p) => p.reads))].sort();
      const writes = [...new Set(parts.flatMap((p) => p.writes))].sort();
      steps.push({
        label: d.label,
        ...(d.named ? { at: d.at } : {}),
        kernelFn: `fn_${d.label}`,
        ...(d.locks.length > 0 ? { locks: d.locks } : {}),
        reads,
        writes,
        ...(guard ? { guard: guard.f } : {}),
        ...(choices ? { choices: choices.f } : {}),
        ...(effect ? { effect: effect.f } : {}),
        next,
      });
    }
  });
  const program: Program<RG, RL> = { name, start: locs[0]!, steps, ...(endLabels.length > 0 ? { endLabels } : {}) };
  return { program, labels: steps.map((s) => s.label), locations: locs, home: x.home };
}

function draw(rng: Rng, seed: number): { model: Model<RG, RL>; features: Features } {
  const symmetric = rng.chance(0.3);
  const arrLen = rng.int(3);
  const nLocks = rng.int(3);
  const locks = Array.from({ length: nLocks }, (_, i) => ({ name: `m${i}`, kind: rng.chance(0.5) ? ('rwsem' as const) : ('mutex' as const) }));
  const x: Gen = { rng, symmetric, arrLen, locks, errorSteps: false, home: 'a' };

  const processes: ProcessInstance<RG, RL>[] = [];
  const programs: ReturnType<typeof genProgram>[] = [];
  let group: string[] = [];
  if (symmetric) {
    const p = genProgram(x, 'S');
    programs.push(p);
    const k = 2 + rng.int(2);
    const locals = { v: rng.int(2), w: 0 };
    for (let i = 0; i < k; i++) processes.push({ name: `s${i}`, program: p.program, locals: { ...locals } });
    group = processes.map((q) => q.name);
    if (k === 2 && rng.chance(0.5)) {
      const q = genProgram(x, 'Q');
      programs.push(q);
      processes.push({ name: 'q0', program: q.program, locals: { v: rng.int(3), w: rng.int(2) } });
    }
  } else {
    const nProgs = rng.chance(0.65) ? 2 : 1;
    for (let i = 0; i < nProgs; i++) programs.push(genProgram(x, `P${i}`));
    const nProcs = rng.pick([1, 2, 2, 3, 3, 4]);
    for (let i = 0; i < nProcs; i++) {
      const p = programs[i < nProgs ? i : rng.int(nProgs)]!;
      processes.push({ name: `p${i}`, program: p.program, locals: { v: rng.int(3), w: rng.int(2) } });
    }
  }
  const allLocs = programs.flatMap((p) => p.locations);

  const invariants: (StateInvariant<RG, RL> | ActionProperty<RG, RL>)[] = [];
  const nState = rng.int(3);
  for (let i = 0; i < nState; i++) {
    const f = rng.pick(FIELDS);
    const h = rng.pick(FIELDS.filter((y) => y !== f));
    const k = rng.int(3);
    const kind = rng.chance(0.25) ? 1 + rng.int(2) : rng.chance(0.7) || arrLen === 0 ? 0 : 3;
    switch (kind) {
      case 0:
        invariants.push({ kind: 'state', id: `inv${i}-globals`, statement: `not ${f} = 2 and ${h} = ${k}`, reads: [f, h], holds: (s) => !(s.g[f] === 2 && s.g[h] === k) });
        break;
      case 1: {
        const t = 1 + rng.int(2);
        invariants.push({ kind: 'state', id: `inv${i}-locals`, statement: `fewer than ${t + 1} processes with v = 2`, reads: [], readsProcesses: true, holds: (s) => s.procs.filter((p) => p.locals.v === 2).length <= t });
        break;
      }
      case 2:
        invariants.push({ kind: 'state', id: `inv${i}-pcs`, statement: `not all done with ${f} = ${k}`, reads: [f], readsProcesses: true, holds: (s) => !(s.procs.every((p) => p.pc === 'done') && s.g[f] === k) });
        break;
      default:
        invariants.push({ kind: 'state', id: `inv${i}-arr`, statement: 'arr not all ones', reads: ['arr'], holds: (s) => !s.g.arr.every((y) => y === 1) });
    }
  }
  let labelAction = false;
  let procsAction = false;
  const nAction = rng.int(3);
  for (let i = 0; i < nAction; i++) {
    const f = rng.pick(FIELDS);
    switch (rng.int(3)) {
      case 0: {
        const [p, q] = rng.chance(0.5) ? [2, 0] : [0, 2];
        invariants.push({ kind: 'action', id: `act${i}-globals`, statement: `${f} never goes ${p} -> ${q}`, reads: [f], holds: (b, a) => !(b.g[f] === p && a.g[f] === q) });
        break;
      }
      case 1: {
        labelAction = true;
        // The label of one program's step, judged with what another program touches (what an
        // independent, invisible step of the first may be reordered around).
        const own = rng.pick(programs);
        const others = programs.filter((p) => p !== own);
        const label = rng.pick(own.labels);
        const g = others.length > 0 && rng.chance(0.7) ? rng.pick(others).home : f;
        const k = rng.int(3);
        // Half of them say which steps they judge (every program's step of that label), so that
        // partial-order reduction may reorder the others.
        const judges = rng.chance(0.5) ? { judgesSteps: programs.filter((p) => p.labels.includes(label)).map((p) => `${p.program.name}/${label}`) } : {};
        switch (rng.int(3)) {
          case 0:
            invariants.push({ kind: 'action', id: `act${i}-label`, statement: `${label} is never taken with choice 1`, reads: [], ...judges, holds: (_b, _a, t) => !(t.step.label === label && t.choice === 1) });
            break;
          case 1:
            // The label with the globals: every step is visible to it, whatever it writes.
            invariants.push({ kind: 'action', id: `act${i}-label`, statement: `${label} is never taken while ${g} = ${k}`, reads: [g], ...judges, holds: (b, _a, t) => !(t.step.label === label && b.g[g] === k) });
            break;
          default: {
            procsAction = true;
            const loc = rng.pick(others.length > 0 ? rng.pick(others).locations : allLocs);
            invariants.push({
              kind: 'action',
              id: `act${i}-label-procs`,
              statement: `${label} is never taken while a process is at ${loc}`,
              reads: [],
              readsProcesses: true,
              ...judges,
              holds: (b, _a, t) => !(t.step.label === label && b.procs.some((p) => p.pc === loc)),
            });
          }
        }
        break;
      }
      default: {
        procsAction = true;
        const loc = rng.pick(allLocs);
        invariants.push({
          kind: 'action',
          id: `act${i}-procs`,
          statement: `no step leaves a state with two processes at ${loc} or with v = 2`,
          reads: [],
          readsProcesses: true,
          holds: (b) => b.procs.filter((p) => p.pc === loc).length < 2 && b.procs.filter((p) => p.locals.v === 2).length < 2,
        });
      }
    }
  }
  const liveness: LivenessProperty<RG, RL>[] = [];
  const nLive = rng.int(3);
  for (let i = 0; i < nLive; i++) {
    switch (rng.int(3)) {
      case 0:
        // By process name, or by program name in a symmetric model (so members stay alike).
        liveness.push({ kind: 'liveness', id: `live${i}-v`, statement: 'v = 1 does not last', reads: [], pending: (s) => [...new Set(s.procs.flatMap((p, pid) => (p.locals.v === 1 ? [symmetric ? processes[pid]!.program.name : processes[pid]!.name] : [])))] });
        break;
      case 1: {
        const f = rng.pick(FIELDS);
        const k = rng.int(3);
        liveness.push({ kind: 'liveness', id: `live${i}-g`, statement: `${f} = ${k} does not last`, reads: [f], pending: (s) => (s.g[f] === k ? [f] : []) });
        break;
      }
      default: {
        const loc = rng.pick(allLocs);
        liveness.push({ kind: 'liveness', id: `live${i}-at`, statement: `nobody stays at ${loc}`, reads: [], pending: (s) => (s.procs.some((p) => p.pc === loc) ? [loc] : []) });
      }
    }
  }
  const g0 = (): RG => ({ a: rng.int(3), b: rng.int(3), c: rng.int(3), arr: Array.from({ length: arrLen }, () => rng.int(2)) });
  const initial = rng.chance(0.25) ? [g0(), g0()] : [g0()];
  const schema = rng.chance(0.85);
  const model: Model<RG, RL> = {
    name: `random-${seed}`,
    ...(locks.length > 0 ? { locks } : {}),
    processes,
    initial,
    invariants,
    liveness,
    ...(schema ? { schema: { globals: { object: { a: 'int', b: 'int', c: 'int', arr: { array: 'int' } } }, locals: { object: { v: 'int', w: 'int' } } } } : {}),
    ...(symmetric ? { symmetric: [group] } : {}),
    ...(rng.chance(0.1) ? { checkDeadlock: false } : {}),
  };
  return { model, features: { symmetric, schema, labelAction, procsAction, errorSteps: x.errorSteps, liveness: liveness.length > 0 } };
}

/** Draws made so far (statistics). */
export let draws = 0;

export interface RandomModelInfo {
  readonly model: Model<RG, RL>;
  readonly features: Features;
  /** The plain BFS's result on it (computed anyway to check the size). */
  readonly plain: PlainResult;
}

const cache = new Map<number, RandomModelInfo>();

/** The model of a seed and what it has; draws again (same stream) while it exceeds STATE_CAP. */
export function randomModelInfo(seed: number): RandomModelInfo {
  const hit = cache.get(seed);
  if (hit) return hit;
  const rng = new Rng(seed);
  for (;;) {
    const d = draw(rng, seed);
    draws++;
    const plain = plainBfs(d.model, { cap: STATE_CAP });
    if (!plain.capped) {
      const info = { ...d, plain };
      cache.set(seed, info);
      return info;
    }
  }
}

export function randomModel(args: { seed: number }): Model<RG, RL> {
  return randomModelInfo(args.seed).model;
}
