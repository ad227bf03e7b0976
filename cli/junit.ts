// JUnit XML, so that a CI system shows each checked property as a test case and a violated one
// as a failure carrying its trace as text. One writer for every command that produces it.

import type { ExploreResult } from '../explorer/index.ts';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export interface JunitCase {
  readonly name: string;
  readonly failure?: { readonly message: string; readonly body: string };
  readonly skipped?: string;
}

export function junitXml(suite: string, cases: readonly JunitCase[], seconds?: number): string {
  const failures = cases.filter((c) => c.failure).length;
  const skipped = cases.filter((c) => !c.failure && c.skipped).length;
  const counts = `tests="${cases.length}" failures="${failures}" skipped="${skipped}"`;
  const lines = cases.map((c) => {
    const head = `    <testcase classname="${esc(suite)}" name="${esc(c.name)}"`;
    if (c.failure) return `${head}>\n      <failure message="${esc(c.failure.message)}">${esc(c.failure.body)}</failure>\n    </testcase>`;
    if (c.skipped) return `${head}>\n      <skipped message="${esc(c.skipped)}"/>\n    </testcase>`;
    return `${head}/>`;
  });
  const time = seconds === undefined ? '' : ` time="${seconds.toFixed(3)}"`;
  return ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites ${counts}>`, `  <testsuite name="${esc(suite)}" ${counts}${time}>`, ...lines, '  </testsuite>', '</testsuites>', ''].join('\n');
}

/** `exhaustive`: the search saw every state, so a property not violated holds (else it is skipped). */
export function junit(suite: string, properties: readonly string[], r: ExploreResult, traceText: (invariant: string) => string, exhaustive: boolean): string {
  const notChecked = r.incomplete ? `incomplete: ${r.incomplete}` : 'not checked to the end: the search stopped at the first violation (explore --all)';
  const cases = properties.map((id): JunitCase => {
    const v = r.violations.find((x) => x.invariant === id);
    if (v) return { name: id, failure: { message: v.message, body: traceText(id) } };
    return exhaustive ? { name: id } : { name: id, skipped: notChecked };
  });
  return junitXml(suite, cases, r.elapsedMs / 1000);
}
