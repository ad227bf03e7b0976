// `svmcheck list [scenarios|protocols|invariants]`.

import { InputError } from '../explorer/index.ts';
import { catalogue } from './catalogue.ts';
import { EXIT } from './exit.ts';
import { formatCatalogue } from './format.ts';
import { invariantsMarkdown } from './invariants-doc.ts';

const PARTS = ['scenarios', 'protocols', 'invariants'] as const;
type Part = (typeof PARTS)[number];

export function listCommand(what: string | undefined, flags: { json?: boolean; markdown?: boolean }): number {
  if (what !== undefined && !(PARTS as readonly string[]).includes(what)) {
    throw new InputError(`cannot list '${what}' (known: ${PARTS.join(', ')})`);
  }
  const part = what as Part | undefined;
  if (flags.markdown && part !== 'invariants') throw new InputError('--markdown goes with `list invariants`');
  const c = catalogue();
  if (flags.markdown) process.stdout.write(invariantsMarkdown(c));
  else if (flags.json) process.stdout.write(`${JSON.stringify(part ? { [part]: c[part] } : c)}\n`);
  else process.stdout.write(`${formatCatalogue(c, part)}\n`);
  return EXIT.pass;
}
