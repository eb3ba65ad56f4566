// Unmanaged allocation of the regions the JavaScript side works in (inputs,
// indexes, nest maps). Allocation may grow the memory; the JavaScript side
// re-takes its views after every call here.

export function alloc(size: u32): usize {
  return heap.alloc(<usize>size);
}

export function realloc(ptr: usize, size: u32): usize {
  return heap.realloc(ptr, <usize>size);
}

export function free(ptr: usize): void {
  heap.free(ptr);
}
