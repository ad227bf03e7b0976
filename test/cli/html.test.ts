// The HTML trace viewer in a real headless browser (Debian's chromium, driven by
// playwright-core): load the page written by --trace-out, step to the end, check that the
// violated invariant is highlighted only there. CI installs chromium (.ci/run); elsewhere the
// test is skipped if the browser is missing, and says so.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const root = join(import.meta.dirname, '..', '..');
const available = existsSync(CHROMIUM);
if (!available && !process.env.CI) console.warn(`html viewer test skipped: no ${CHROMIUM} (apt-get install chromium)`);

describe.runIf(available || process.env.CI)('HTML trace viewer in headless chromium', () => {
  it('steps through the trace and highlights the violated invariant at the end', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'svmcheck-html-'));
    spawnSync(process.execPath, [join(root, 'bin', 'svmcheck.js'), 'explore', '--scenario', 'fault-vs-invalidate', '--trace-out', dir], { cwd: root });
    const page = join(dir, 'fault-vs-invalidate.amdgpu-v3.pte-has-dma-mapping.html');
    expect(existsSync(page)).toBe(true);

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const tab = await browser.newPage();
      const requests: string[] = [];
      tab.on('request', (r) => requests.push(r.url()));
      await tab.goto(pathToFileURL(page).href);
      expect(await tab.textContent('#position')).toBe('step 0 of 19');
      expect(await tab.getAttribute('#violation', 'class')).toBe('');

      for (let i = 0; i < 19; i++) await tab.click('#next');
      expect(await tab.textContent('#position')).toBe('step 19 of 19');
      expect(await tab.isDisabled('#next')).toBe(true);
      expect(await tab.getAttribute('#violation', 'class')).toBe('violated');
      expect(await tab.textContent('#violation')).toContain('violated: pte-has-dma-mapping');
      expect(await tab.textContent('#step')).toContain('clear0 event_end');
      expect(await tab.textContent('tr.moved')).toContain('clear0');

      await tab.click('#prev');
      expect(await tab.getAttribute('#violation', 'class')).toBe('');
      // Self-contained: the only request is the page itself.
      expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
