// Tables made once, at module start, for the whole run (the kernel's and the
// HAL's). `new StaticArray` zero-fills what it allocates, which at start is
// wasted work that costs: the stub runtime hands out memory nothing has used
// (it never reuses a block, as nothing is freed before start ends) and fresh
// linear memory is zero, so the fill only touches every page at once, a page
// fault each, before anything needs them. A table made here touches a page
// when it is first used. Only for module-level constants.
export function table<T>(length: i32): StaticArray<T> {
  return changetype<StaticArray<T>>(__new(<usize>length << alignof<T>(), idof<StaticArray<T>>()));
}
