// Properties the engine checks on every model, whatever its own invariants are. They come from
// the lock operations the steps declare, in the spirit of lockdep's run-time checks.

export interface BuiltinProperty {
  readonly id: string;
  readonly statement: string;
}

export const DEADLOCK: BuiltinProperty = {
  id: 'deadlock',
  statement: 'while some process has not finished (and is not idle at an end label), some step is enabled',
};

export const LOCK_BALANCE: BuiltinProperty = {
  id: 'lock-balance',
  statement: 'a lock is released only by its holder in the mode it was taken, and never taken again by its holder',
};

export const LOCK_HELD_AT_END: BuiltinProperty = {
  id: 'lock-held-at-end',
  statement: 'a process that finishes holds no lock',
};

export const BUILTIN_PROPERTIES: readonly BuiltinProperty[] = [DEADLOCK, LOCK_BALANCE, LOCK_HELD_AT_END];
