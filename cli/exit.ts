// Exit statuses, the same for every command.
export const EXIT = {
  /** Every checked property holds, exhaustively within the scenario's bounds. */
  pass: 0,
  /** A property is violated; the report carries a counterexample. */
  violation: 1,
  /** Bad input: unknown scenario or protocol, impossible bounds, malformed file. */
  badInput: 2,
  /** A bound (depth, states, time) cut the search before it was exhaustive. */
  incomplete: 3,
  /** A bug in svmcheck itself. */
  internal: 4,
} as const;
