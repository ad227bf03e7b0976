// Every reachable state of a small model, and the terminal ones (no step enabled), by a plain
// breadth-first walk over the authoring-mode state space: for tests that ask "in every way this
// can end, ..." of models with a few thousand states.

import { AuthoringSpace, type Model, type SysState } from '../../explorer/index.ts';

export function terminalStates<G, L>(model: Model<G, L>): SysState<G, L>[] {
  const space = new AuthoringSpace(model);
  const seen = new Set<string>();
  const terminal: SysState<G, L>[] = [];
  const queue = [...space.initialStates()];
  for (const s of queue) seen.add(JSON.stringify(s));
  while (queue.length > 0) {
    const s = queue.shift()!;
    let successors = 0;
    space.expand(s, {
      onNext: (tid) => {
        successors++;
        const n = space.apply(s, tid);
        const k = JSON.stringify(n);
        if (!seen.has(k)) {
          seen.add(k);
          queue.push(n);
        }
      },
      onViolation: () => {},
    });
    if (successors === 0) terminal.push(s);
  }
  return terminal;
}
