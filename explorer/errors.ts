/**
 * A model, scenario or input that cannot be explored as given. The CLI prints the message as one
 * line and exits 2; it is never a bug of the engine, so it carries no stack trace to the user.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
}
