// JUnit XML, so that a CI system shows each checked property as a test case and a violated one
// as a failure carrying its trace as text.

import type { ExploreResult } from '../explorer/index.ts';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** `exhaustive`: the search saw every state, so a property not violated holds (else it is skipped). */
export function junit(suite: string, properties: readonly string[], r: ExploreResult, traceText: (invariant: string) => string, exhaustive: boolean): string {
  const cases = properties.map((id) => {
    const v = r.violations.find((x) => x.invariant === id);
    const head = `    <testcase classname="${esc(suite)}" name="${esc(id)}"`;
    if (v) return `${head}>\n      <failure message="${esc(v.message)}">${esc(traceText(id))}</failure>\n    </testcase>`;
    if (!exhaustive) {
      const why = r.incomplete ? `incomplete: ${r.incomplete}` : 'not checked to the end: the search stopped at the first violation (explore --all)';
      return `${head}>\n      <skipped message="${esc(why)}"/>\n    </testcase>`;
    }
    return `${head}/>`;
  });
  const failures = properties.filter((id) => r.violations.some((v) => v.invariant === id)).length;
  const skipped = exhaustive ? 0 : properties.length - failures;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites tests="${properties.length}" failures="${failures}" skipped="${skipped}">`,
    `  <testsuite name="${esc(suite)}" tests="${properties.length}" failures="${failures}" skipped="${skipped}" time="${(r.elapsedMs / 1000).toFixed(3)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
