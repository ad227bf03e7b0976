// A status line on stderr while a long search runs: states, depth, rate. Only on a terminal,
// so logs and pipes stay clean. A single overwritten line needs no library.

export interface ProgressSink {
  update(states: number, depth: number, elapsedMs: number): void;
  done(): void;
}

const PERIOD_MS = 500;

export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): ProgressSink | undefined {
  if (!stream.isTTY) return undefined;
  let last = 0;
  let shown = false;
  return {
    update(states, depth, elapsedMs) {
      if (elapsedMs - last < PERIOD_MS) return;
      last = elapsedMs;
      shown = true;
      const rate = elapsedMs > 0 ? Math.round((states * 1000) / elapsedMs) : 0;
      stream.write(`\r\x1b[K  ${states.toLocaleString('en-US')} states  depth ${depth}  ${rate.toLocaleString('en-US')} states/s`);
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}
