// The classic (non-SVM) scenarios: they validate the engine and serve as the benchmark's small
// reference. Their expected results are derived by hand in each model's header comment.

import { someModel, type Scenario } from '../explorer/index.ts';
import { countersModel, lostUpdateModel, noLostUpdate, type LostUpdateProtocol } from './counters.ts';
import { MUTEX_PROTOCOLS, mutexModel, mutualExclusion, type MutexProtocol } from './mutex.ts';
import { neighboursNotEating, philosophersModel, type PhilosophersProtocol } from './philosophers.ts';

const philosopherProtocols = [
  { name: 'ordered', description: 'forks taken in a global order, lower number first (no deadlock)' },
  { name: 'left-first', description: 'left fork, then right fork (deadlocks)' },
];

function philosophers(name: string, n: number, rounds: number, description: string): Scenario {
  return {
    name,
    description,
    protocols: philosopherProtocols,
    defaultProtocol: 'ordered',
    invariants: [neighboursNotEating(n)],
    build: (p) => someModel(philosophersModel(n, rounds, p as PhilosophersProtocol)),
  };
}

export const CLASSIC_SCENARIOS: readonly Scenario[] = [
  {
    name: 'mutex',
    description: "two processes looping through a critical section: Peterson's algorithm and broken variants",
    protocols: Object.entries(MUTEX_PROTOCOLS).map(([name, p]) => ({ name, description: p.description })),
    defaultProtocol: 'peterson',
    invariants: [mutualExclusion],
    build: (p) => someModel(mutexModel(p as MutexProtocol)),
  },
  philosophers('philosophers', 3, 1, 'three dining philosophers, forks as locks, each eats once'),
  philosophers('philosophers-large', 7, 2, 'seven dining philosophers, each eats twice (1.3 million states)'),
  {
    name: 'counters',
    description: 'three processes of two private steps each: 27 states, countable by hand',
    protocols: [{ name: 'independent', description: 'no shared state' }],
    defaultProtocol: 'independent',
    invariants: [],
    build: () => someModel(countersModel(3, 2)),
  },
  {
    name: 'lost-update',
    description: 'two processes increment a shared counter',
    protocols: [
      { name: 'locked', description: 'read and write under one lock' },
      { name: 'racy', description: 'read, then write, no lock (loses an update)' },
    ],
    defaultProtocol: 'locked',
    invariants: [noLostUpdate],
    build: (p) => someModel(lostUpdateModel(p as LostUpdateProtocol)),
  },
];
