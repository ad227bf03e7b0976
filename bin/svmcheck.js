#!/usr/bin/env node
// The installed command: load tsx's ESM hooks so the TypeScript sources run as they are, then
// hand over to the CLI.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
