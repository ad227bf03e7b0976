// The engine's public surface. Models import from here; the engine imports nothing from model/.
export * from './model.ts';
export { explore, traceOf } from './explore.ts';
export type { ExploreOptions, ExploreResult, Trace, Verdict, Violation, Coverage } from './explore.ts';
export { AuthoringSpace } from './authoring.ts';
export { bfs } from './bfs.ts';
export { findLasso } from './lasso.ts';
export type { Lasso } from './lasso.ts';
export type { SearchBounds, SearchOptions, SearchResult } from './bfs.ts';
export type { StateSpace, TraceStep, Failure } from './space.ts';
export { InputError } from './errors.ts';
export { BUILTIN_PROPERTIES } from './properties.ts';
export { someModel } from './scenario.ts';
export type { Scenario, SomeModel, ProtocolInfo, InvariantInfo } from './scenario.ts';
export { terminalProgress } from './progress.ts';
export { patchModel } from './patch.ts';
export type { StepPatch } from './patch.ts';
export { confirmViolation } from './confirm.ts';
