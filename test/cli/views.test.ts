// Trace views and CI formats: lanes within 72 columns showing only the state the violated
// invariant reads, Mermaid, trace files beside each other, JUnit XML that is honest about what
// was checked to the end.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const svmcheck = (...args: string[]) => {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'svmcheck.js'), ...args], { cwd: root, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('views', () => {
  it('lanes: one column per process, at most 72 columns, the relevant state changes under each step', () => {
    const r = svmcheck('explore', '--scenario', 'fault-vs-invalidate', '--all', '--view', 'lanes');
    expect(r.status).toBe(1);
    expect(r.stdout.split('\n').every((l) => l.length <= 72)).toBe(true);
    expect(r.stdout).toMatch(/^ {5}fault0 +clear0 +gpu_write0$/m);
    // The lost write: the page is replaced (pages[0].gen), then the GPU's store is only recorded.
    expect(r.stdout).toContain('* pages[0].gen: 0 -> 1');
    expect(r.stdout).toContain('* written[0]: 0 -> 1');
    expect(r.stdout).not.toContain('* data[0]');
  });

  it('mermaid: a sequence diagram with the processes as participants', () => {
    const r = svmcheck('explore', '--scenario', 'fault-vs-invalidate', '--view', 'mermaid');
    expect(r.stdout).toContain('sequenceDiagram\n  participant fault0\n  participant clear0');
    expect(r.stdout).toMatch(/Note over fault0,clear0: violated pte-has-dma-mapping/);
  });

  it('--trace-out writes the replayable JSON with the lanes, Mermaid and HTML views beside it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'svmcheck-views-'));
    svmcheck('explore', '--scenario', 'fault-vs-invalidate', '--trace-out', dir);
    expect(readdirSync(dir).sort()).toEqual([
      'fault-vs-invalidate.amdgpu-v3.pte-has-dma-mapping.html',
      'fault-vs-invalidate.amdgpu-v3.pte-has-dma-mapping.json',
      'fault-vs-invalidate.amdgpu-v3.pte-has-dma-mapping.mmd',
      'fault-vs-invalidate.amdgpu-v3.pte-has-dma-mapping.txt',
    ]);
  });

  it('an unknown view is bad input', () => {
    expect(svmcheck('explore', '--view', 'nope')).toMatchObject({ status: 2, stderr: expect.stringContaining("unknown view 'nope'") });
  });
});

describe('JUnit', () => {
  it('with --all: one case per property, the violated ones failing with their trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'svmcheck-junit-'));
    const file = join(dir, 'junit.xml');
    svmcheck('explore', '--scenario', 'fault-vs-invalidate', '--all', '--junit', file);
    const xml = readFileSync(file, 'utf8');
    expect(xml).toMatch(/<testsuite name="fault-vs-invalidate\/amdgpu-v3" tests="\d+" failures="4" skipped="0"/);
    expect(xml).toMatch(/<testcase classname="[^"]+" name="no-lost-write">\s*<failure message="page 0 was last written 1/);
    expect(xml).toContain('gpu_write0  gpu_store');
    expect(xml).toMatch(/<testcase classname="[^"]+" name="ranges-disjoint"\/>/);
  });

  it('stopped at the first violation: the other properties are skipped, not passed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'svmcheck-junit-'));
    const file = join(dir, 'junit.xml');
    svmcheck('explore', '--scenario', 'fault-vs-invalidate', '--junit', file);
    const xml = readFileSync(file, 'utf8');
    expect(xml).toMatch(/failures="1"/);
    expect(xml).toMatch(/name="ranges-disjoint">\s*<skipped message="not checked to the end/);
  });
});
