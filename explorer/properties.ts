// Properties the engine checks on every model, whatever its own invariants are. They come from
// the lock operations the steps declare, in the spirit of lockdep's run-time checks.

export interface BuiltinProperty {
  readonly id: string;
  readonly statement: string;
  readonly justification: string;
}

export const DEADLOCK: BuiltinProperty = {
  id: 'deadlock',
  statement: 'while some process has not finished (and is not idle at an end label), some step is enabled',
  justification: 'A state where every unfinished process waits (on a lock or a guard) never moves again.',
};

export const LOCK_BALANCE: BuiltinProperty = {
  id: 'lock-balance',
  statement: 'a lock is released only by its holder in the mode it was taken, and never taken again by its holder',
  justification: "lockdep's bad-unlock-balance and recursive-locking reports (DOMAIN.md §4 item 15, bug 1).",
};

export const LOCK_HELD_AT_END: BuiltinProperty = {
  id: 'lock-held-at-end',
  statement: 'a process that finishes holds no lock',
  justification: 'Every acquire has a matching release on every path (DOMAIN.md §4 item 15, bugs 1 and 2).',
};

export const STEP_ERROR: BuiltinProperty = {
  id: 'step-error',
  statement: 'every step runs to completion (its guard, effect and next do not throw)',
  justification:
    'A step that throws meets a state its author did not expect (a range freed under it, an index out of bounds): in the ' +
    'kernel, undefined behaviour. Reported with its trace rather than as a crash of the checker.',
};

export const BUILTIN_PROPERTIES: readonly BuiltinProperty[] = [DEADLOCK, LOCK_BALANCE, LOCK_HELD_AT_END, STEP_ERROR];
