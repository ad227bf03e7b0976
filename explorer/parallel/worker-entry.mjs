// A worker thread's entry: load tsx's hooks (the worker does not inherit the main thread's),
// then the TypeScript worker itself.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
