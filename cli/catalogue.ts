// Every scenario the CLI can run, and the lookups that turn a user's names into one, with errors
// that list what is known.

import { CLASSIC_SCENARIOS } from '../classic/index.ts';
import { BUILTIN_PROPERTIES, InputError, type Scenario } from '../explorer/index.ts';
import { SVM_CATALOGUE } from '../model/scenarios/index.ts';

export const SCENARIOS: readonly Scenario[] = [...SVM_CATALOGUE, ...CLASSIC_SCENARIOS];

/** The scenario `svmcheck explore` runs when none is named. */
export const DEFAULT_SCENARIO = 'default';

export function findScenario(name: string): Scenario {
  const s = SCENARIOS.find((x) => x.name === name);
  if (!s) throw new InputError(`unknown scenario '${name}' (known: ${SCENARIOS.map((x) => x.name).join(', ')})`);
  return s;
}

export function findProtocol(scenario: Scenario, name: string | undefined): string {
  const protocol = name ?? scenario.defaultProtocol;
  if (!scenario.protocols.some((p) => p.name === protocol)) {
    const known = scenario.protocols.map((p) => p.name).join(', ');
    if (SCENARIOS.some((s) => s.protocols.some((p) => p.name === protocol))) {
      throw new InputError(`scenario ${scenario.name} does not run under protocol '${protocol}' (it runs under: ${known}; see \`svmcheck list protocols\`)`);
    }
    throw new InputError(`unknown protocol '${protocol}' for scenario ${scenario.name} (known: ${known})`);
  }
  return protocol;
}

export interface Catalogue {
  scenarios: { name: string; description: string; protocols: string[]; defaultProtocol: string }[];
  protocols: { name: string; description: string; scenarios: string[] }[];
  invariants: { id: string; statement: string; kind: string; justification?: string; scenarios: string[] | 'all' }[];
}

export function catalogue(): Catalogue {
  const protocols = new Map<string, Catalogue['protocols'][number]>();
  const invariants = new Map<string, Catalogue['invariants'][number]>();
  for (const p of BUILTIN_PROPERTIES) invariants.set(p.id, { id: p.id, statement: p.statement, kind: 'engine', justification: p.justification, scenarios: 'all' });
  for (const s of SCENARIOS) {
    for (const p of s.protocols) {
      const e = protocols.get(p.name) ?? { name: p.name, description: p.description, scenarios: [] };
      e.scenarios.push(s.name);
      protocols.set(p.name, e);
    }
    for (const i of s.invariants) {
      const e = invariants.get(i.id) ?? { id: i.id, statement: i.statement, kind: i.kind ?? 'state', ...(i.justification ? { justification: i.justification } : {}), scenarios: [] };
      if (e.scenarios !== 'all') e.scenarios.push(s.name);
      invariants.set(i.id, e);
    }
  }
  return {
    scenarios: SCENARIOS.map((s) => ({
      name: s.name,
      description: s.description,
      protocols: s.protocols.map((p) => p.name),
      defaultProtocol: s.defaultProtocol,
    })),
    protocols: [...protocols.values()],
    invariants: [...invariants.values()],
  };
}
