// gpu-mapped-under-notifier-lock.ts on the amdgpu-v3-vram composition: the same window reaches
// VRAM through an eviction's invalidation (F5), and the same fix closes it.

import { defineProposal } from './api.ts';
import { publishUnderLock } from './gpu-mapped-under-notifier-lock.ts';

export default defineProposal({
  name: 'gpu-mapped-under-notifier-lock-vram',
  title: 'amdgpu + VRAM: set gpu_mapped in the notifier-locked commit, with the PTE write',
  base: 'amdgpu-v3-vram',
  scenarios: ['eviction-vs-gpu-fault-evict-to-ram'],
  patches: publishUnderLock,
});
