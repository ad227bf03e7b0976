// The svmcheck command. Thin: parses arguments (commander), calls a command, maps the outcome to
// an exit status. Bad input of any kind is one line on stderr and status 2, never a stack trace.

import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ENGINES, FAIRNESS, InputError } from '../explorer/index.ts';
import { DEFAULT_SCENARIO } from './catalogue.ts';
import { EXIT } from './exit.ts';
import { exploreCommand } from './explore-command.ts';
import { checkCommand } from './check-command.ts';
import { listCommand } from './list-command.ts';
import { replayCommand } from './replay-command.ts';
import { simulateCommand } from './simulate-command.ts';
import { lockorderCommand } from './lockorder-command.ts';
import { mutantsCommand } from './mutants-command.ts';
import { stepsCommand } from './steps-command.ts';

function integer(min: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim()) || Number(value) < min || !Number.isSafeInteger(Number(value)))
      throw new InvalidArgumentError(`expected a whole number >= ${min}`);
    return Number(value);
  };
}

function positiveSeconds(value: string): number {
  const x = Number(value);
  if (!Number.isFinite(x) || x <= 0) throw new InvalidArgumentError('expected a number of seconds > 0');
  return x;
}

function program(setExit: (code: number) => void): Command {
  const cli = new Command('svmcheck')
    .description('Model checker for the concurrency design of GPU Shared Virtual Memory in Linux')
    .exitOverride()
    .configureOutput({
      // commander puts a suggestion ("Did you mean ...?") on a second line: keep errors on one.
      outputError: (str, write) => write(`${str.trimEnd().replace(/^error: /, 'svmcheck: ').replace(/\n+/g, ' ')}\n`),
    });

  cli
    .command('explore')
    .description('exhaustively explore every interleaving of a scenario and check its invariants')
    .option('--scenario <name>', 'scenario to run (see `svmcheck list`)', DEFAULT_SCENARIO)
    .option('--protocol <name>', "protocol variant (default: the scenario's own)")
    .option('--depth <n>', 'depth bound: keep states at most n steps from an initial state', integer(0))
    .option('--max-states <n>', 'state bound: keep at most n distinct states', integer(1))
    .addOption(new Option('--time-limit <seconds>', 'time bound for the search').argParser(positiveSeconds))
    .option('--all', 'search on past violations: the shortest trace of each violated invariant, and an exhaustive search')
    .option('--liveness', 'also search for cycles, and end states, in which a fault never finishes (reported as a lasso or a trace to the end state)')
    .addOption(new Option('--fairness <kind>', 'with --liveness: none, or weak (only cycles in which every process always enabled also moves, as Spin -f)').choices(FAIRNESS).default('none'))
    .option('--trace-out <dir>', 'write each counterexample as JSON (replayable), .txt (lanes), .mmd (Mermaid) and .html (viewer)')
    .option('--view <kind>', 'how the report shows counterexamples: list, lanes (72 columns, for mail) or mermaid', 'list')
    .option('--junit <file>', 'also write JUnit XML: one test case per property, failures with their trace')
    .option('--minimize', 'minimise each counterexample: fewest steps, then context switches, then processes')
    .option('--por', 'partial-order reduction (ample sets from the steps\' footprints); traces shortest in the reduced graph')
    .option('--symmetry', "symmetry reduction over the model's interchangeable processes")
    .option('--verify-fingerprints', 'check every fingerprint match with an independent hash; a collision makes the search incomplete')
    .option('--workers <n>', 'worker threads sharing the search (fast engine); an exhaustive search finds the same counts and traces as one thread', integer(1), 1)
    .addOption(new Option('--engine <mode>', 'fast (packed states), authoring (immer, frozen states) or exact (whole keys, no fingerprints)').choices(ENGINES).default('fast'))
    .option('--json', 'print one JSON object on stdout')
    .action(async (flags) => setExit(await exploreCommand(flags)));

  cli
    .command('steps')
    .description("list the steps of a scenario's programs: kernel function, locks (+taken -dropped), note, source")
    .option('--scenario <name>', 'scenario (see `svmcheck list`)', DEFAULT_SCENARIO)
    .option('--protocol <name>', "protocol variant (default: the scenario's own)")
    .option('--all-scenarios', 'every program of every scenario that runs under the protocol')
    .option('--markdown', 'print tables for docs/model.md')
    .option('--json', 'print one JSON array on stdout')
    .option('--uncited', 'only the steps that cite no source (and say no reason why)')
    .action((flags) => setExit(stepsCommand(flags)));

  cli
    .command('list')
    .description('list scenarios, protocols and invariants (or only one of them)')
    .argument('[what]', 'scenarios, protocols or invariants')
    .option('--json', 'print one JSON object on stdout')
    .option('--markdown', 'with `invariants`: print docs/invariants.md')
    .action((what: string | undefined, flags: { json?: boolean; markdown?: boolean }) => {
      setExit(listCommand(what, flags));
    });

  cli
    .command('check')
    .description('check a proposal (a patch on a protocol) against its base and print a verdict for a mail')
    .argument('<file>', 'the proposal, a TypeScript file (see proposals/ and docs/proposals.md)')
    .option('--trace-out <dir>', "write the proposal's new violations as trace files (replay applies the proposal)")
    .option('--junit <file>', 'write JUnit XML: a failing test case per violation, cycle or rule break the proposal adds')
    .option('--json', 'print one JSON object on stdout')
    .action(async (file: string, flags: { json?: boolean; traceOut?: string; junit?: string }) => setExit(await checkCommand(file, flags)));

  cli
    .command('simulate')
    .description('random runs (fast-check) for configurations too large to exhaust; a violation is shrunk and minimised')
    .option('--scenario <name>', 'scenario to run (see `svmcheck list`)', DEFAULT_SCENARIO)
    .option('--protocol <name>', "protocol variant (default: the scenario's own)")
    .option('--runs <n>', 'number of random runs', integer(1), 200)
    .option('--seed <n>', 'seed: the same seed reproduces the same runs', integer(0))
    .option('--max-steps <n>', 'longest schedule tried (each move may run a burst of steps)', integer(1), 200)
    .option('--json', 'print one JSON object on stdout')
    .action((flags) => setExit(simulateCommand(flags)));

  cli
    .command('replay')
    .description('re-execute a trace file on the current model: does it still violate its invariant?')
    .argument('<file>', 'a trace written by explore --trace-out')
    .option('--json', 'print one JSON object on stdout')
    .action(async (file: string, flags: { json?: boolean }) => setExit(await replayCommand(file, flags)));

  cli
    .command('lockorder')
    .description('the lock-order graph (lockdep style) with its cycles, rule breaks and the deadlocks reached')
    .option('--scenario <name>', 'scenario (see `svmcheck list`)', DEFAULT_SCENARIO)
    .option('--protocol <name>', "protocol variant (default: the scenario's own)")
    .option('--proposal <file>', 'the graph with a proposal applied (its base is the protocol)')
    .option('--dot', 'print the graph as Graphviz DOT (cycle edges red, declared edges dashed)')
    .option('--json', 'print one JSON object on stdout')
    .action(async (flags) => setExit(await lockorderCommand(flags)));

  cli
    .command('mutants')
    .description('run every broken variant: each must be caught as the invariant it breaks')
    .option('--json', 'print one JSON array on stdout')
    .action((flags: { json?: boolean }) => setExit(mutantsCommand(flags)));

  return cli;
}

async function main(argv: readonly string[]): Promise<number> {
  let code: number = EXIT.pass;
  try {
    await program((c) => (code = c)).parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.pass : EXIT.badInput;
    if (e instanceof InputError) {
      process.stderr.write(`svmcheck: ${e.message}\n`);
      return EXIT.badInput;
    }
    const err = e instanceof Error ? e : new Error(String(e));
    process.stderr.write(`svmcheck: internal error: ${err.message}\n`);
    if (process.env.SVMCHECK_DEBUG) process.stderr.write(`${err.stack}\n`);
    return EXIT.internal;
  }
}

process.exitCode = await main(process.argv.slice(2));
