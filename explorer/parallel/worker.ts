// A worker thread of the parallel search: builds the model from its source, then expands the
// frontier entries it is given, one BFS level at a time, against the shared visited set. Each
// new state goes round-robin into one of the workers' outboxes, so the next level is shared
// evenly whoever found it.

import { parentPort } from 'node:worker_threads';
import { InputError } from '../errors.ts';
import { FastSpace } from '../fast.ts';
import { PackedFrontier } from '../frontier.ts';
import type { Model, SysState } from '../model.ts';
import type { SuccessorSink } from '../space.ts';
import type { InitMessage, LevelDone, LevelMessage } from './protocol.ts';
import { SharedFingerprintSet } from './shared-set.ts';

type S = SysState<unknown, unknown>;

let space: FastSpace<unknown, unknown>;
let init: InitMessage;
let counter: Int32Array;

async function start(msg: InitMessage): Promise<void> {
  init = msg;
  counter = new Int32Array(msg.counter);
  const mod = (await import(msg.source.module)) as Record<string, (args: unknown) => Model<unknown, unknown>>;
  const build = mod[msg.source.exportName];
  if (typeof build !== 'function') throw new InputError(`${msg.source.module} has no function ${msg.source.exportName}`);
  space = new FastSpace(build(msg.source.args));
  space.codec.sealStrings();
}

/** Thrown out of an expansion when the shared table is as full as a level may make it. */
const TABLE_FULL = Symbol('table full');

function level(msg: LevelMessage): LevelDone {
  const table = new SharedFingerprintSet(msg.table);
  // The table grows only between rounds (parallel.ts). A worker stops taking new states once it
  // is half full, so there is room for what the other workers add before they notice too.
  const limit = Math.floor(table.capacity / 2);
  // New states are counted into the shared counter in batches: one contended atomic per state
  // would bounce its cache line between the cores. A batch is small enough that every worker's
  // unpublished states together fit in the other half.
  const batch = Math.max(1, Math.min(1024, Math.floor(table.capacity / (4 * init.workers))));
  const frontier = new PackedFrontier<S>(space);
  frontier.append(msg.frontier);
  const outboxes = Array.from({ length: init.workers }, () => new PackedFrontier<S>(space));
  const leftover = new PackedFrontier<S>(space);
  const coverage = new Array<number>(space.stepNames.length).fill(0);
  const violated = new Set<string>();
  const fp = new Uint32Array(2);
  let transitions = 0;
  let beyondBound = false;
  let unpublished = 0;
  /** Publishes the batch; false when the table is as full as this round may make it. */
  const publish = (): boolean => {
    const total = Atomics.add(counter, 0, unpublished) + unpublished;
    unpublished = 0;
    return total < limit;
  };
  let next = init.worker;
  // The steps counted for the state being expanded, to take back if its expansion is cut.
  let counted = new Int32Array(1024);
  let ncounted = 0;
  const count = (tid: number): void => {
    const step = space.stepOf(tid);
    coverage[step]!++;
    if (ncounted === counted.length) {
      const bigger = new Int32Array(2 * counted.length);
      bigger.set(counted);
      counted = bigger;
    }
    counted[ncounted++] = step;
  };

  const sink: SuccessorSink<S> = {
    onNext(tid, s2) {
      transitions++;
      count(tid);
      space.fingerprint(s2, fp);
      if (msg.atBound) {
        if (!table.has(fp[0]!, fp[1]!)) beyondBound = true;
        return;
      }
      if (!table.add(fp[0]!, fp[1]!)) return;
      if (++unpublished === batch && !publish()) throw TABLE_FULL;
      const failed = space.checkState(s2);
      for (const f of failed) violated.add(f.property);
      if (failed.length === 0 || !init.stopAtFirstViolation) {
        outboxes[next]!.push(0, s2);
        next = (next + 1) % init.workers;
      }
    },
    onViolation(tid, f) {
      count(tid);
      violated.add(f.property);
    },
  };

  // Once the table is full enough, the rest of the share goes back unexpanded (with the state
  // whose expansion was cut, its transitions and coverage taken back): the coordinator grows the
  // table and hands it out again. The states that state did add stay; they are real, and the
  // second expansion finds them seen.
  let full = false;
  frontier.drain((_idx, s) => {
    if (full) {
      leftover.push(0, s);
      return true;
    }
    const before = transitions;
    ncounted = 0;
    try {
      if (space.expand(s, sink) === 0) {
        const f = space.stuck(s);
        if (f) violated.add(f.property);
      }
    } catch (e) {
      if (e !== TABLE_FULL) throw e;
      transitions = before;
      for (let k = 0; k < ncounted; k++) coverage[counted[k]!]!--;
      full = true;
      leftover.push(0, s);
    }
    return true;
  });
  publish();
  return {
    kind: 'done',
    transitions,
    coverage,
    violated: [...violated],
    beyondBound,
    outboxes: outboxes.map((o) => o.take()),
    leftover: leftover.take(),
  };
}

parentPort!.on('message', (msg: InitMessage | LevelMessage) => {
  void (async () => {
    try {
      if (msg.kind === 'init') {
        await start(msg);
        parentPort!.postMessage({ kind: 'ready' });
      } else {
        const done = level(msg);
        parentPort!.postMessage(done, [...done.outboxes, done.leftover].flatMap((o) => o.chunks.map((c) => c.buffer as ArrayBuffer)));
      }
    } catch (e) {
      parentPort!.postMessage({ kind: 'failed', message: e instanceof Error ? (process.env.SVMCHECK_DEBUG ? String(e.stack) : e.message) : String(e), input: e instanceof InputError });
    }
  })();
});
