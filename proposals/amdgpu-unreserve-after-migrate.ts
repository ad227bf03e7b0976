// amdgpu_svm_populate_mm as the VRAM-migration series v4 posted it ([PATCH v4 2/6],
// <20260513095734.69598-3-Junhua.Shen@amd.com>): the buffer is unreserved after the migration,
//
//	ret = drm_pagemap_migrate_to_devmem(&svm_bo->devmem,
//					     mm, start, end,
//					     &mdetails);
//
//	amdgpu_bo_unreserve(&svm_bo->bo);	/* new in v4 */
//
//	return ret;
//
// while the buffer's one reference is the devmem allocation's (amdgpu_bo_create, put by
// amdgpu_svm_devmem_release), which drm_pagemap_migrate_to_devmem consumes "even if it returns
// with an error". On -EBUSY the buffer is freed inside the call; on success, a CPU fault can take
// every page back (the last zdd put runs devmem_release) before the unreserve. Either way the
// unreserve touches a buffer nobody holds: the bug class "a thread using a buffer after it
// dropped its reference", written as the one step it changes.

import { touchBo } from '../model/devmem.ts';
import { defineProposal } from './api.ts';

export default defineProposal({
  name: 'amdgpu-unreserve-after-migrate',
  title: 'amdgpu (MIG v4 2/6): amdgpu_svm_populate_mm unreserves the buffer after drm_pagemap_migrate_to_devmem',
  base: 'amdgpu-v3-vram',
  scenarios: ['migration-vs-cpu-fault', 'migration-vs-munmap'],
  patches: [
    {
      program: 'prefetch_vram',
      label: 'mg_unlock',
      replace: {
        kernelFn: 'amdgpu_svm_populate_mm: amdgpu_bo_unreserve; drm_pagemap_populate_mm: mmap_read_unlock + mmput',
        effect: (g, l) => {
          touchBo(g, l.alloc);
          g.mmUsers--;
        },
      },
    },
  ],
});
