// amdgpu's own locks.

/** amdgpu attr_tree->lock (xe keeps attributes in the gpuvm VMA tree under vm->lock). */
export const ATTR = 'attr_lock';
