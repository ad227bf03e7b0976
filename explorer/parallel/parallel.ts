// The parallel search: breadth-first, one level at a time, over worker threads that share one
// visited set (shared-set.ts). The main thread coordinates: it hands each worker its share of
// the level, waits for all of them, routes the new states each found into the workers' shares
// of the next level (round-robin, so the shares stay even), and grows the table between levels,
// and within a level between rounds: a worker stops at a half-full table and hands back the rest
// of its share, so a level of any width fits (worker.ts).
//
// What stays deterministic: a state is added to the shared set by exactly one thread, and every
// state of a level is expanded before the next level starts, so the numbers of states and
// transitions, the depth, the coverage and the set of violated properties do not depend on the
// threads' timing. A search stopped by a violation still finishes its level. What does not: which
// parent found a state first. So no parent links are kept at all: when a property is violated,
// the sequential fast search re-runs to that depth and gives the same shortest trace a
// single-threaded run gives.

import { Worker } from 'node:worker_threads';
import { InputError } from '../errors.ts';
import { summary, explore, type ExploreOptions, type ExploreResult, type Violation } from '../explore.ts';
import { FastSpace } from '../fast.ts';
import { PackedFrontier, type PackedParts } from '../frontier.ts';
import type { Model } from '../model.ts';
import type { Failed, InitMessage, LevelDone, LevelMessage, ModelSource } from './protocol.ts';
import { SharedFingerprintSet } from './shared-set.ts';

export interface ParallelOptions extends ExploreOptions {
  readonly workers: number;
  /** log2 of the shared table's first size (default 20); the tests make it small to make it grow. */
  readonly initialTableLog2?: number;
}

/** What the parallel search does not do yet; each is an input error, not a silent fallback. */
function refuse(opts: ParallelOptions): void {
  const unsupported = [
    opts.partialOrder && 'partial-order reduction',
    opts.symmetry && 'symmetry reduction',
    opts.lockOrder && 'the lock-order graph',
    opts.liveness && 'liveness',
    opts.engine && opts.engine !== 'fast' && `the ${opts.engine} engine`,
    opts.verifyFingerprints && 'fingerprint verification',
  ].filter(Boolean);
  if (unsupported.length > 0) throw new InputError(`several workers do not support ${unsupported.join(', ')} yet; use one worker`);
  if (!Number.isInteger(opts.workers) || opts.workers < 1) throw new InputError(`workers must be a whole number >= 1, not ${opts.workers}`);
}

export async function exploreParallel<G, L>(model: Model<G, L>, source: ModelSource, opts: ParallelOptions): Promise<ExploreResult> {
  refuse(opts);
  const start = performance.now();
  const stopAtFirst = opts.stopAtFirstViolation ?? true;
  const space = new FastSpace(model);
  // Words cross threads: each thread must give every string the same id.
  space.codec.sealStrings();
  const n = opts.workers;
  const counter = new SharedArrayBuffer(4);
  const count = new Int32Array(counter);
  let table = new SharedFingerprintSet(opts.initialTableLog2 ?? 20);
  const coverage = new Array<number>(space.stepNames.length).fill(0);
  const violated = new Set<string>();
  let violationDepth = -1;

  // Level 0: the initial states, checked here, dealt round-robin.
  let shares = Array.from({ length: n }, () => new PackedFrontier(space));
  const fp = new Uint32Array(2);
  const initial = space.initialStates();
  initial.forEach((s, i) => {
    space.fingerprint(s, fp);
    if (!table.add(fp[0]!, fp[1]!)) return;
    Atomics.add(count, 0, 1);
    const failed = space.checkState(s);
    for (const f of failed) violated.add(f.property);
    if (failed.length > 0) violationDepth = 0;
    if (failed.length === 0 || !stopAtFirst) shares[i % n]!.push(0, s);
  });
  let level: PackedParts[] = shares.map((f) => f.take());

  const workers = await Promise.all(Array.from({ length: n }, (_, w) => startWorker(source, { kind: 'init', source, worker: w, workers: n, stopAtFirstViolation: stopAtFirst, counter })));
  let transitions = 0;
  let depth = 0;
  let maxDepth = 0;
  let frontierBytes = 0;
  let incomplete: string | undefined;
  try {
    while (level.some((p) => p.count > 0) && !(stopAtFirst && violated.size > 0)) {
      const atBound = opts.maxDepth !== undefined && depth >= opts.maxDepth;
      const waiting = level.reduce((k, p) => k + p.count, 0);
      const states = Atomics.load(count, 0);
      // Room for everything so far and a next level up to three times this one, at half load.
      const need = 2 * (states + 3 * waiting);
      if (need > table.capacity) table = table.grow(Math.ceil(Math.log2(need)));
      frontierBytes = Math.max(frontierBytes, level.reduce((k, p) => k + p.chunks.reduce((b, c) => b + c.byteLength, 0), 0));

      // A level is expanded in rounds: a worker hands back what it did not expand once the table
      // is half full, and the table grows before the next round. Most levels take one round.
      const outboxes: PackedParts[][] = Array.from({ length: n }, () => []);
      let round = level;
      while (round.some((p) => p.count > 0)) {
        const done = await Promise.all(workers.map((w, i) => w.run({ kind: 'level', table: table.buffer, frontier: round[i]!, atBound })));
        for (const d of done) {
          transitions += d.transitions;
          d.coverage.forEach((c, i) => (coverage[i]! += c));
          for (const p of d.violated) {
            if (!violated.has(p) && violationDepth < 0) violationDepth = depth + 1;
            violated.add(p);
          }
          if (d.beyondBound) incomplete = `depth bound ${opts.maxDepth} reached`;
          d.outboxes.forEach((o, j) => outboxes[j]!.push(o));
        }
        round = done.map((d) => d.leftover);
        const left = round.reduce((k, p) => k + p.count, 0);
        if (left > 0) table = table.grow(Math.ceil(Math.log2(4 * (Atomics.load(count, 0) + left))));
      }
      if (atBound) break;
      level = outboxes.map(concat);
      if (Atomics.load(count, 0) > states) maxDepth = depth + 1;
      depth++;
      const elapsed = performance.now() - start;
      opts.progress?.update(Atomics.load(count, 0), depth, elapsed);
      // The level is finished whatever the bound; a search that found more states than it may
      // keep is cut, as one thread's is when it would keep one more.
      if (opts.maxStates !== undefined && Atomics.load(count, 0) > opts.maxStates) {
        incomplete = `state bound ${opts.maxStates} reached`;
        break;
      }
      if (opts.timeLimitMs !== undefined && elapsed > opts.timeLimitMs && level.some((p) => p.count > 0)) {
        incomplete = `time bound ${opts.timeLimitMs / 1000}s reached`;
        break;
      }
    }
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    opts.progress?.done();
  }
  const elapsedMs = performance.now() - start;
  const states = Atomics.load(count, 0);

  // Traces: the sequential search to the depth of the first violation (or, with --all, as deep
  // as the threads went) gives the shortest trace of each violated property, the same as a
  // one-thread run. It runs without the state and time bounds: the threads have already seen
  // those states, and a re-run cut short would lose a violation they found.
  let violations: Violation[] = [];
  if (violated.size > 0) {
    const { maxStates: _s, timeLimitMs: _t, ...unbounded } = opts;
    const again = explore(model, { ...unbounded, engine: 'fast', maxDepth: stopAtFirst ? violationDepth : Math.min(opts.maxDepth ?? Infinity, maxDepth) });
    violations = [...again.violations];
    const lost = [...violated].filter((p) => !violations.some((v) => v.invariant === p));
    if (stopAtFirst ? violations.length === 0 : lost.length > 0) throw new Error(`the sequential re-run found no trace of ${lost.join(', ')}, which the worker threads saw violated`);
  }
  const result = summary(
    model.name,
    'fast',
    space,
    { states, transitions, maxDepth, elapsedMs, ...(incomplete ? { incomplete } : {}), coverage, storeBytes: table.bytes, frontierBytes, initialStates: initial.length, ampleStates: 0, reductions: [] },
    opts.expectedUntaken ?? {},
    violations,
  );
  return { ...result, workers: n };
}

function concat(parts: readonly PackedParts[]): PackedParts {
  return { chunks: parts.flatMap((p) => p.chunks), used: parts.flatMap((p) => p.used), count: parts.reduce((k, p) => k + p.count, 0) };
}

interface WorkerHandle {
  run(msg: LevelMessage): Promise<LevelDone>;
  stop(): Promise<void>;
}

async function startWorker(source: ModelSource, init: InitMessage): Promise<WorkerHandle> {
  const worker = new Worker(new URL('./worker-entry.mjs', import.meta.url));
  const reply = <T>(): Promise<T> =>
    new Promise((resolve, reject) => {
      const onMessage = (m: T | Failed): void => {
        worker.off('error', onError);
        if ((m as Failed).kind === 'failed') {
          const f = m as Failed;
          reject(f.input ? new InputError(f.message) : new Error(`worker: ${f.message}`));
        } else resolve(m as T);
      };
      const onError = (e: Error): void => {
        worker.off('message', onMessage);
        reject(new Error(`worker for ${source.exportName}: ${e.message}`));
      };
      worker.once('message', onMessage);
      worker.once('error', onError);
    });
  const ready = reply<{ kind: 'ready' }>();
  worker.postMessage(init);
  await ready;
  return {
    run(msg) {
      const done = reply<LevelDone>();
      worker.postMessage(msg, msg.frontier.chunks.map((c) => c.buffer as ArrayBuffer));
      return done;
    },
    async stop() {
      await worker.terminate();
    },
  };
}
