// The installed command, run as a user runs it (node bin/svmcheck.js), on the classic scenarios.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function svmcheck(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'svmcheck.js'), ...args], { cwd: root, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('svmcheck explore', () => {
  it('--json prints one object with the documented fields, exit 0 on pass', () => {
    const r = svmcheck('explore', '--scenario', 'mutex', '--json');
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ verdict: 'pass', states: expect.any(Number), transitions: expect.any(Number), maxDepth: expect.any(Number) });
    for (const k of ['elapsedMs', 'statesPerSecond', 'peakRssBytes']) expect(typeof j[k]).toBe('number');
    expect(j.violations).toEqual([]);
    expect(j.coverage.untaken).toEqual([]);
    expect(Object.values(j.coverage.steps).every((n) => typeof n === 'number' && n > 0)).toBe(true);
  });

  it('a violation exits 1 with a trace of process, label and kernel function', () => {
    const r = svmcheck('explore', '--scenario', 'mutex', '--protocol', 'naive-flags', '--json');
    expect(r.status).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.verdict).toBe('violation');
    expect(j.violations[0].invariant).toBe('mutual-exclusion');
    expect(j.violations[0].trace.steps[0]).toEqual({ pid: 0, process: 'p0', program: 'naive-flags', label: 'check', kernelFn: 'await !flag[j]' });
  });

  it('the text report of a deadlock names the waiting processes and the trace', () => {
    const r = svmcheck('explore', '--scenario', 'philosophers', '--protocol', 'left-first');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('verdict: violation (deadlock)');
    expect(r.stdout).toMatch(/trace, 3 steps from initial state 0:/);
    expect(r.stdout).toContain('take_second waits for fork1 (write), held write by phil1');
  });

  it('an unknown scenario exits 2 with one line naming the known scenarios', () => {
    const r = svmcheck('explore', '--scenario', 'nope');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain("unknown scenario 'nope' (known: fault-vs-munmap, fault-vs-partial-munmap");
    expect(r.stderr).toContain('default, default-large, mutex, philosophers');
  });

  it.each([
    [['explore', '--protocol', 'nope'], /unknown protocol 'nope' for scenario default \(known: amdgpu-v3, xe\)/],
    [['explore', '--scenario', 'mutex', '--protocol', 'xe'], /scenario mutex does not run under protocol 'xe' \(it runs under: peterson/],
    [['explore', '--scenario', 'migration-vs-munmap', '--protocol', 'amdgpu-v3'], /scenario migration-vs-munmap does not run under protocol 'amdgpu-v3' \(it runs under: amdgpu-v3-vram, xe/],
    [['explore', '--depth', '-1'], /--depth.*expected a whole number >= 0/],
    [['explore', '--max-states', '0'], /--max-states.*expected a whole number >= 1/],
    [['explore', '--time-limit', 'soon'], /--time-limit.*seconds/],
    [['explore', '--dept', '3'], /unknown option '--dept'.*--depth/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('bad input %j exits 2 with one line', (args, message) => {
    const r = svmcheck(...args);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('the default is the SVM scenario under amdgpu-v3, where it finds the gpu_mapped race (exit 1)', () => {
    const r = svmcheck('explore', '--json');
    expect(r.status).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ scenario: 'default', protocol: 'amdgpu-v3', verdict: 'violation' });
    // The race shows first when the notifier DMA-unmaps the range whose live PTE it skipped.
    expect(j.violations[0].invariant).toBe('pte-has-dma-mapping');
    expect(j.violations[0].trace.steps.map((s: { label: string }) => s.label)).toContain('um_commit');
  });

  it('--all searches past violations to the end: exhaustive, every step taken', () => {
    const r = svmcheck('explore', '--scenario', 'fault-vs-invalidate', '--all', '--json');
    expect(r.status).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.incomplete).toBeUndefined();
    expect(j.warnings).toEqual([]);
    // Only steps the scenario states it cannot take (no UNMAP): they are not warnings.
    expect(j.coverage.untaken.sort()).toEqual(['gpu_fault/ckpt_clear', 'gpu_fault/drop_stale', 'gpu_fault/gc_clear_attrs', 'gpu_fault/gc_remove']);
  });

  it('a bound hit exits 3 and says which bound', () => {
    const r = svmcheck('explore', '--depth', '3', '--json');
    expect(r.status).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ verdict: 'incomplete', incomplete: 'depth bound 3 reached' });
    const t = svmcheck('explore', '--scenario', 'counters', '--max-states', '5');
    expect(t.status).toBe(3);
    expect(t.stdout).toContain('verdict: incomplete: state bound 5 reached');
  });

  it('--liveness with --all under --max-states stays bounded: a cut safety search skips liveness and says so', () => {
    // The safety search stops at the bound with violations found, so its verdict is not
    // 'incomplete'; the liveness search must not then run over the unbounded graph.
    const r = svmcheck('explore', '--protocol', 'amdgpu-v3', '--all', '--liveness', '--max-states', '25000', '--json');
    expect(r.status).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ verdict: 'violation', incomplete: 'state bound 25000 reached', states: 25000 });
    expect(j.warnings).toContain('liveness not checked: the safety search was incomplete');
  }, 60_000);

  it('--fairness weak runs with --liveness only; an unknown kind is bad input', () => {
    const r = svmcheck('explore', '--scenario', 'fault-vs-invalidate', '--protocol', 'xe', '--liveness', '--fairness', 'weak', '--json');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    // The liveness graph is the whole state space the safety search found.
    expect(j).toMatchObject({ verdict: 'pass', livenessGraph: { states: j.states, fairness: 'weak' } });
    // The text report says what the liveness search covered, and under which fairness.
    const text = svmcheck('explore', '--scenario', 'fault-vs-invalidate', '--protocol', 'xe', '--liveness', '--fairness', 'weak');
    expect(text.stdout).toMatch(new RegExp(`liveness: cycles and terminal states searched over ${j.states} states, \\d+\\n\\s+transitions, weak fairness`));
    const alone = svmcheck('explore', '--scenario', 'fault-vs-set-attr', '--fairness', 'weak');
    expect([alone.status, alone.stderr.trim()]).toEqual([2, 'svmcheck: --fairness applies to the liveness search: add --liveness']);
    const bad = svmcheck('explore', '--fairness', 'strong');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--fairness.*weak/);
  });
});

describe('svmcheck lockorder', () => {
  it('prints the graph with no cycle or rule broken for a sound protocol (exit 0), and DOT on request', () => {
    const r = svmcheck('lockorder', '--scenario', 'fault-vs-invalidate', '--protocol', 'xe');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('vm_resv(W) -> notifier_lock(R)');
    expect(r.stdout).toContain('fs_reclaim(W) -> notifier_lock(W)            declared (lockdep priming)');
    expect(r.stdout).toMatch(/cycles: none\n\nrules: none broken\n\ndeadlocks reached: none/);
    const p = svmcheck('lockorder', '--scenario', 'fault-vs-invalidate', '--proposal', 'proposals/eviction-lock-as-driver-lock.ts');
    expect(p.status).toBe(1);
    expect(p.stdout).toContain('eviction_lock -> notifier_lock -> eviction_lock');
    expect(p.stdout).toContain('deadlocks reached:');
    const d = svmcheck('lockorder', '--scenario', 'fault-vs-invalidate', '--dot');
    expect(d.stdout).toMatch(/^digraph lockorder \{/);
    expect(d.stdout).toContain('"svm_lock" -> "attr_lock"');
  });
});

describe('svmcheck mutants', () => {
  it('catches every mutant and exits 0', () => {
    const r = svmcheck('mutants', '--json');
    expect(r.status).toBe(0);
    const rows = JSON.parse(r.stdout);
    expect(rows.length).toBeGreaterThanOrEqual(19);
    expect(rows.filter((x: { caught: boolean; soundHolds: boolean }) => !x.caught || !x.soundHolds)).toEqual([]);
    const text = svmcheck('mutants');
    expect(text.stdout).toMatch(/^invariant +mutant +caught +trace +states +unpatched$/m);
    expect(text.stdout).toMatch(/\d+ mutants, \d+ caught, 0 escaped/);
  });
});

describe('svmcheck list', () => {
  it('list invariants shows each with its kind; an unknown part is bad input', () => {
    const r = svmcheck('list', 'invariants');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('no-stale-pte (state)');
    expect(r.stdout).toContain('faults-terminate (liveness)');
    expect(r.stdout).not.toContain('scenarios:');
    const bad = svmcheck('list', 'nope');
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe("svmcheck: cannot list 'nope' (known: scenarios, protocols, invariants)");
  });

  it('--json lists scenarios, protocols and invariants', () => {
    const r = svmcheck('list', '--json');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    const names = j.scenarios.map((s: { name: string }) => s.name);
    expect(names).toEqual(expect.arrayContaining(['default', 'fault-vs-munmap', 'fault-vs-set-attr', 'munmap-gc-remap', 'mutex']));
    expect(j.scenarios.find((s: { name: string }) => s.name === 'default')).toMatchObject({ defaultProtocol: 'amdgpu-v3', protocols: ['amdgpu-v3', 'xe'] });
    expect(j.protocols.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['amdgpu-v3', 'xe', 'peterson']));
    expect(j.invariants.map((i: { id: string }) => i.id)).toEqual(
      expect.arrayContaining(['deadlock', 'lock-balance', 'no-stale-pte', 'no-dma-of-freed-page', 'ranges-disjoint', 'mutual-exclusion']),
    );
  });

  it('prints a readable catalogue', () => {
    const r = svmcheck('list');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('protocols: peterson (default), peterson-swapped, naive-flags');
    expect(r.stdout).toContain('protocols: amdgpu-v3 (default), xe');
  });
});
