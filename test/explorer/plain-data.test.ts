// States are plain data (explorer/codec/plain.ts), in every engine: a Map, a Set, a class
// instance, a function, an undefined member, or keys a schema does not declare are refused
// with one line naming the field. Each model here used to pass in every engine (its codec
// merged the two successors, one of which is a violation), and the self-check saw nothing,
// since every engine shares the codec.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENGINES, explore, exploreParallel, InputError } from '../../explorer/index.ts';
import { SVM_SCHEMA } from '../../model/schema.ts';
import { NOT_PLAIN_MESSAGES, notPlainModel, undefinedMemberModel, type NotPlainCase } from '../fixtures/not-plain-models.ts';

/** The error `f` throws (it must throw one). */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('nothing was thrown');
}

const cases = Object.keys(NOT_PLAIN_MESSAGES) as NotPlainCase[];

describe('a state that is not plain data is refused in every engine, with the field named', () => {
  for (const c of cases) {
    for (const engine of ENGINES) {
      it(`${c}, ${engine} engine`, () => {
        const e = thrown(() => explore(notPlainModel(c), { engine, stopAtFirstViolation: false }));
        expect(e).toBeInstanceOf(InputError);
        const message = (e as InputError).message;
        expect(message).toMatch(NOT_PLAIN_MESSAGES[c]);
        expect(message).not.toContain('\n');
      });
    }
  }

  it('with worker threads too (a schema model)', async () => {
    const source = { module: new URL('../fixtures/not-plain-models.ts', import.meta.url).href, exportName: 'notPlainModel', args: 'map-schema' };
    await expect(exploreParallel(notPlainModel('map-schema'), source, { workers: 2 })).rejects.toThrow(NOT_PLAIN_MESSAGES['map-schema']);
    const later = { ...source, args: 'record-schema' };
    await expect(exploreParallel(notPlainModel('record-schema'), later, { workers: 2 })).rejects.toThrow(NOT_PLAIN_MESSAGES['record-schema']);
  });
});

describe('an undefined member', () => {
  // It used to vanish from the generic encoding: fast mode's copy lacked the key, its guard
  // `'owner' in g` was false there only, and fast mode reported a deadlock authoring mode did not.
  for (const engine of ENGINES) {
    it(`is refused in the ${engine} engine, not a deadlock in one engine only`, () => {
      const e = thrown(() => explore(undefinedMemberModel(), { engine }));
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).message).toMatch(/^state field g\.owner holds undefined; states are plain data .*: use null for "no value"/);
    });
  }

  it('in an array (a hole reads as one) is refused too', () => {
    const m = notPlainModel('map-generic');
    const holes = { ...m, initial: [{ owners: [1, , 2] }] };
    expect(() => explore(holes, { engine: 'fast' })).toThrow(/^state field g\.owners\[1\] holds undefined/);
  });
});

describe('the command line', () => {
  it('a proposal that adds a member the schema does not declare exits 2 with one line naming it', () => {
    const root = join(import.meta.dirname, '..', '..');
    const r = spawnSync(process.execPath, [join(root, 'bin', 'svmcheck.js'), 'check', 'test/fixtures/proposals/stores-a-map.ts'], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const declared = 'object' in SVM_SCHEMA.globals ? Object.keys(SVM_SCHEMA.globals.object).length : NaN;
    expect(r.stderr).toMatch(new RegExp(`^svmcheck: state field g has key 'owners' that its schema does not declare \\(it declares ${declared} fields\\)`));
  });
});
