// The bench's table: one row per configuration and mode, medians, and the change against an
// earlier results file when one is given.

export interface BenchRow {
  scenario: string;
  protocol: string;
  mode: string;
  /** Why the mode was not run here; the other fields are then absent. */
  skipped?: string;
  verdict?: string;
  incomplete?: string;
  states?: number;
  transitions?: number;
  elapsedMs?: number;
  statesPerSecond?: number;
  peakRssBytes?: number;
  bytesPerState?: number;
  samples?: { states: number; elapsedMs: number; statesPerSecond: number; peakRssBytes: number }[];
}

const num = (x: number): string => x.toLocaleString('en-US');

/** States per second over those of the same configuration's one-thread fast mode. */
function rateVsFast(r: BenchRow, rows: readonly BenchRow[]): string {
  const fast = rows.find((x) => x.scenario === r.scenario && x.protocol === r.protocol && x.mode === 'fast' && x.statesPerSecond);
  return fast && r.mode !== 'fast' ? `x${(r.statesPerSecond! / fast.statesPerSecond!).toFixed(2)}` : '-';
}

/** For a reduced mode: how many times fewer states than the same engine without reductions. */
function reduction(r: BenchRow, rows: readonly BenchRow[]): string {
  const [engine, ...reductions] = r.mode.split('/')[0]!.split('+');
  if (reductions.length === 0) return '-';
  const full = rows.find((x) => x.scenario === r.scenario && x.protocol === r.protocol && x.mode === engine && x.states && !x.incomplete);
  return full && !r.incomplete ? `x${(full.states! / r.states!).toFixed(2)}` : '-';
}
const mib = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`;

export function benchTable(rows: readonly BenchRow[], before?: readonly BenchRow[]): string {
  const head = ['scenario', 'protocol', 'mode', 'verdict', 'states', 'transitions', 'seconds', 'states/s', 'peak RSS', 'B/state', 'reduction', 'rate vs fast'];
  if (before) head.push('states/s vs before', 'RSS vs before');
  const notes: string[] = [];
  const lines = rows.map((r) => {
    const id = [r.scenario, r.protocol, r.mode];
    if (r.skipped !== undefined || r.states === undefined) {
      notes.push(`${id.join(' ')}: not run: ${r.skipped}`);
      return [...id, 'not run', ...Array<string>(head.length - 4).fill('-')];
    }
    if (r.incomplete) notes.push(`${id.join(' ')}: ${r.incomplete} (a rate over a partial run)`);
    const cells = [
      ...id,
      r.incomplete ? 'incomplete' : r.verdict!,
      num(r.states),
      num(r.transitions!),
      (r.elapsedMs! / 1000).toFixed(2),
      num(r.statesPerSecond!),
      mib(r.peakRssBytes!),
      num(r.bytesPerState!),
      reduction(r, rows),
      rateVsFast(r, rows),
    ];
    if (before) {
      const b = before.find((x) => x.scenario === r.scenario && x.protocol === r.protocol && x.mode === r.mode && x.statesPerSecond);
      cells.push(b ? `x${(r.statesPerSecond! / b.statesPerSecond!).toFixed(2)}` : '-', b ? `x${(r.peakRssBytes! / b.peakRssBytes!).toFixed(2)}` : '-');
    }
    return cells;
  });
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const table = [head, ...lines].map((l) => l.map((c, i) => (i < 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd());
  return [...table, ...notes.map((n) => `note: ${n}`)].join('\n');
}
