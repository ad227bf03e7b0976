// svmcheck check on the sample proposals: their verdicts and witnesses; and malformed proposals,
// each one line on stderr naming what is wrong, exit 2.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const check = (file: string) => {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'svmcheck.js'), 'check', file], { cwd: root, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('a patch of a program a second GPU also runs', () => {
  it('says that the other GPU\'s copy runs unpatched', () => {
    const r = check('test/fixtures/proposals/gpu0-only.ts');
    expect(r.status).toBe(0);
    expect(r.stdout.replace(/\s+/g, ' ')).toContain("note: the patches name GPU 0's programs; these copies for another GPU run unpatched: gpu_fault1");
  });
});

describe('sample proposals', () => {
  it('gpu_mapped under the notifier lock adds no violation and makes F1 go away', () => {
    const r = check('proposals/gpu-mapped-under-notifier-lock.ts');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Verdict: the proposal adds no violation.');
    expect(r.stdout).toMatch(/Invariants newly violated: none/);
    const holding = r.stdout.slice(r.stdout.indexOf('Invariants newly holding:'), r.stdout.indexOf('Lock-order cycles added'));
    for (const inv of ['invalidate-before-return', 'no-stale-pte', 'no-lost-write', 'removed-range-was-zapped']) expect(holding).toContain(inv);
    expect(r.stdout.split('\n').every((l) => l.length <= 72)).toBe(true);
  });

  it('the same patch on the VRAM composition closes F5 (a PTE into VRAM an eviction gives back)', () => {
    const r = check('proposals/gpu-mapped-under-notifier-lock-vram.ts');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Invariants newly violated: none/);
    const holding = r.stdout.slice(r.stdout.indexOf('Invariants newly holding:'), r.stdout.indexOf('Lock-order cycles added'));
    for (const inv of ['invalidate-before-return', 'no-stale-pte', 'no-mapping-to-freed-vram']) expect(holding).toContain(inv);
  });

  it("xe waiting for the unbind's fence before drm_gpusvm_range_remove closes F18", () => {
    const r = check('proposals/xe-gc-waits-for-unbind.ts');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Invariants newly violated: none/);
    const holding = r.stdout.slice(r.stdout.indexOf('Invariants newly holding:'), r.stdout.indexOf('Lock-order cycles added'));
    for (const inv of ['pte-has-dma-mapping', 'invalidate-before-return', 'no-stale-pte']) expect(holding).toContain(inv);
  });

  it('amdgpu MIG v4 unreserving the buffer after drm_pagemap_migrate_to_devmem uses it after its last reference', () => {
    const r = check('proposals/amdgpu-unreserve-after-migrate.ts');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('Verdict: the proposal ADDS violations.');
    const added = r.stdout.slice(r.stdout.indexOf('Invariants newly violated:'), r.stdout.indexOf('Invariants newly holding:'));
    expect(added).toContain('no-use-after-free');
    expect(added).toContain('mg_unlock');
  });

  it("the fix for drm_gpusvm_range_evict's mm reference leak makes no-leaked-reference hold", () => {
    const r = check('proposals/gpusvm-range-evict-mmput.ts');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Invariants newly violated: none/);
    const holding = r.stdout.slice(r.stdout.indexOf('Invariants newly holding:'), r.stdout.indexOf('Lock-order cycles added'));
    expect(holding).toContain('no-leaked-reference, in range-evict-enomem');
  });

  it("eviction_lock as the driver lock (R-3) reproduces the ABBA with the notifier, reachable as a deadlock", () => {
    const r = check('proposals/eviction-lock-as-driver-lock.ts');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('Verdict: the proposal ADDS violations.');
    expect(r.stdout).toContain('eviction_lock -> notifier_lock -> eviction_lock');
    expect(r.stdout).toMatch(/deadlock, in fault-vs-invalidate/);
    expect(r.stdout).toMatch(/event_begin waits for eviction_lock \(write\), held write by\s+fault0/);
    // drm_gpusvm asserts the driver lock in find_or_insert: without svm_lock the tree changes unprotected.
    expect(r.stdout).toContain('range-tree-under-locks');
    expect(r.stdout.split('\n').every((l) => l.length <= 72)).toBe(true);
  });

  it('mmap_read across SET_ATTR (R-5) breaks R3 with an mmap_lock/svm_lock cycle', () => {
    const r = check('proposals/mmap-read-across-ioctl.ts');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('mmap_lock -> svm_lock -> mmap_lock');
    expect(r.stdout).toContain('R3 mmap_lock(R) -> svm_lock(W)');
    expect(r.stdout).toMatch(/Invariants newly violated: none/);
    expect(r.stdout.split('\n').every((l) => l.length <= 72)).toBe(true);
  });
});

describe('check --trace-out and --junit', () => {
  it("writes the proposal's new violations as traces that replay with the proposal applied, and JUnit failures", () => {
    const dir = mkdtempSync(join(tmpdir(), 'svmcheck-check-'));
    const junit = join(dir, 'junit.xml');
    const run = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin', 'svmcheck.js'), ...args], { cwd: root, encoding: 'utf8' });
    expect(run('check', 'proposals/eviction-lock-as-driver-lock.ts', '--trace-out', dir, '--junit', junit).status).toBe(1);
    const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
    expect(files).toEqual([
      'eviction-lock-as-driver-lock.fault-vs-invalidate.amdgpu-v3.deadlock.json',
      'eviction-lock-as-driver-lock.fault-vs-invalidate.amdgpu-v3.range-tree-under-locks.json',
    ]);
    for (const f of files) {
      const r = run('replay', join(dir, f));
      expect(r.status, r.stderr).toBe(1);
      expect(r.stdout).toContain('with proposals/eviction-lock-as-driver-lock.ts: still violates');
    }
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/failures="3"/);
    expect(xml).toContain('name="eviction_lock -&gt; notifier_lock -&gt; eviction_lock (fault-vs-invalidate)"');
  });
});

describe('malformed proposals', () => {
  it.each([
    ['unknown-label.ts', /program gpu_fault has no step bind_comit/],
    ['unknown-lock.ts', /step bind_commit of gpu_fault: unknown lock big_lock/],
    ['unreachable.ts', /the patches leave step gpu_fault\/gp_map, gpu_fault\/gp_alloc, .* unreachable/],
    ['syntax-error.ts', /syntax-error\.ts:6:\d+: /],
    ['does-not-exist.ts', /does-not-exist\.ts: no such proposal file/],
  ])('%s exits 2 with one line naming the problem', (file, message) => {
    const r = check(`test/fixtures/proposals/${file}`);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});
