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

function level(msg: LevelMessage): LevelDone {
  const table = new SharedFingerprintSet(msg.table);
  const limit = Math.floor(table.capacity * 0.9);
  const frontier = new PackedFrontier<S>(space);
  frontier.append(msg.frontier);
  const outboxes = Array.from({ length: init.workers }, () => new PackedFrontier<S>(space));
  const coverage = new Array<number>(space.stepNames.length).fill(0);
  const violated = new Set<string>();
  const fp = new Uint32Array(2);
  let transitions = 0;
  let beyondBound = false;
  // New states are counted into the shared counter in batches: one contended atomic per
  // state would bounce its cache line between the cores.
  let unpublished = 0;
  const publish = (): void => {
    if (Atomics.add(counter, 0, unpublished) + unpublished >= limit) throw new RangeError(`the shared visited set is 90% full (${table.capacity} slots)`);
    unpublished = 0;
  };
  let next = init.worker;

  const sink: SuccessorSink<S> = {
    onNext(tid, s2) {
      transitions++;
      coverage[space.stepOf(tid)]!++;
      space.fingerprint(s2, fp);
      if (msg.atBound) {
        if (!table.has(fp[0]!, fp[1]!)) beyondBound = true;
        return;
      }
      if (!table.add(fp[0]!, fp[1]!)) return;
      if (++unpublished === 1024) publish();
      const failed = space.checkState(s2);
      for (const f of failed) violated.add(f.property);
      if (failed.length === 0 || !init.stopAtFirstViolation) {
        outboxes[next]!.push(0, s2);
        next = (next + 1) % init.workers;
      }
    },
    onViolation(tid, f) {
      coverage[space.stepOf(tid)]!++;
      violated.add(f.property);
    },
  };

  frontier.drain((_idx, s) => {
    if (space.expand(s, sink) === 0) {
      const f = space.stuck(s);
      if (f) violated.add(f.property);
    }
    return true;
  });
  publish();
  return { kind: 'done', transitions, coverage, violated: [...violated], beyondBound, outboxes: outboxes.map((o) => o.take()) };
}

parentPort!.on('message', (msg: InitMessage | LevelMessage) => {
  void (async () => {
    try {
      if (msg.kind === 'init') {
        await start(msg);
        parentPort!.postMessage({ kind: 'ready' });
      } else {
        const done = level(msg);
        parentPort!.postMessage(done, done.outboxes.flatMap((o) => o.chunks.map((c) => c.buffer as ArrayBuffer)));
      }
    } catch (e) {
      parentPort!.postMessage({ kind: 'failed', message: e instanceof Error ? (process.env.SVMCHECK_DEBUG ? String(e.stack) : e.message) : String(e), input: e instanceof InputError });
    }
  })();
});
