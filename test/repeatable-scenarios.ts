// The scenarios small enough for a suite to run several times over (the self-check runs each
// three times, the reduction test four). Left out: the default (541k states under amdgpu-v3,
// checked once by test/model/scenarios.test.ts) and the benchmark's large ones.

import { SCENARIOS } from '../cli/catalogue.ts';

const TOO_LARGE = new Set(['default', 'default-large', 'philosophers-large']);

export const REPEATABLE_SCENARIOS = SCENARIOS.filter((s) => !TOO_LARGE.has(s.name));
