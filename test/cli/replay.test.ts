// Counterexamples written by explore --trace-out replay on the current model; a trace that no
// longer applies names the first step that is not enabled, and exits 2.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const svmcheck = (...args: string[]) => {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'svmcheck.js'), ...args], { cwd: root, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('trace files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'svmcheck-traces-'));
  const out = svmcheck('explore', '--scenario', 'fault-vs-invalidate', '--all', '--trace-out', dir);
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

  it('explore --trace-out writes one file per violated invariant', () => {
    expect(out.status).toBe(1);
    expect(files).toEqual([
      'fault-vs-invalidate.amdgpu-v3.invalidate-before-return.json',
      'fault-vs-invalidate.amdgpu-v3.no-lost-write.json',
      'fault-vs-invalidate.amdgpu-v3.no-stale-pte.json',
      'fault-vs-invalidate.amdgpu-v3.pte-has-dma-mapping.json',
    ]);
  });

  it('each replays and still violates its invariant (exit 1)', () => {
    for (const f of files) {
      const r = svmcheck('replay', join(dir, f));
      expect(r.status, r.stderr).toBe(1);
      expect(r.stdout).toMatch(/still violates /);
    }
  });

  it('a trace cut before its last step replays but no longer violates (exit 0)', () => {
    const path = join(dir, 'fault-vs-invalidate.amdgpu-v3.no-stale-pte.json');
    const t = JSON.parse(readFileSync(path, 'utf8'));
    const cut = join(dir, 'cut.json');
    writeFileSync(cut, JSON.stringify({ ...t, steps: t.steps.slice(0, -1) }));
    const r = svmcheck('replay', cut);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('replays, but no longer violates no-stale-pte');
  });

  it('a trace that no longer applies names the first step not enabled, and why (exit 2)', () => {
    const path = join(dir, 'fault-vs-invalidate.amdgpu-v3.no-stale-pte.json');
    const t = JSON.parse(readFileSync(path, 'utf8'));
    // Swap two steps of the fault: um_commit before um_lock_pd.
    const i = t.steps.findIndex((s: { label: string }) => s.label === 'um_lock_pd');
    const steps = [...t.steps];
    [steps[i], steps[i + 1]] = [steps[i + 1], steps[i]];
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...t, steps }));
    const r = svmcheck('replay', bad);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`step ${i + 1} (fault0 um_commit) is not enabled: the process is at um_lock_pd`);
  });

  it('a file that is not a trace is bad input (exit 2)', () => {
    const junk = join(dir, 'junk.json');
    writeFileSync(junk, '{ not json');
    expect(svmcheck('replay', junk)).toMatchObject({ status: 2, stderr: expect.stringMatching(/junk\.json: not JSON/) });
    expect(svmcheck('replay', join(dir, 'none.json'))).toMatchObject({ status: 2, stderr: expect.stringMatching(/no such trace file/) });
  });
});
