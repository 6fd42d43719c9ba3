// Allocations the manager has handed out, in fixed arrays with a free list:
// an allocation or a release touches a few slots and allocates nothing.
import { MEMKIND_ARENA } from "../../lib";

export const MAX_HANDLES = 4096;
export const hOwner = new StaticArray<i32>(MAX_HANDLES); // the client's badge; -1: free
export const hKind = new StaticArray<i32>(MAX_HANDLES); // MEMKIND_*
export const hOffset = new StaticArray<i32>(MAX_HANDLES); // arena offset, store index or first qubit
export const hSize = new StaticArray<i32>(MAX_HANDLES); // bytes, entries or qubits
export const hSlot = new StaticArray<i32>(MAX_HANDLES); // the manager's capability to the object, or -1
export const hRights = new StaticArray<i32>(MAX_HANDLES); // VM_* rights shares may carry
const freeList = new StaticArray<i32>(MAX_HANDLES);
let freeTop = 0;

export function handlesInit(): void {
  freeTop = 0;
  for (let h = MAX_HANDLES - 1; h >= 1; h--) { unchecked(hOwner[h] = -1); unchecked(freeList[freeTop++] = h); }
}

/** A new handle for `owner`, or 0 when the table is full (handle 0 is never used). */
@inline export function newHandle(owner: i32, kind: i32, offset: i32, size: i32, slot: i32, rights: i32): i32 {
  if (freeTop == 0) return 0;
  const h = unchecked(freeList[--freeTop]);
  unchecked(hOwner[h] = owner); unchecked(hKind[h] = kind); unchecked(hOffset[h] = offset);
  unchecked(hSize[h] = size); unchecked(hSlot[h] = slot); unchecked(hRights[h] = rights);
  return h;
}

/** Is `h` a live handle belonging to `owner`? */
@inline export function owns(owner: i32, h: i64): bool {
  return h > 0 && h < MAX_HANDLES && unchecked(hOwner[<i32>h]) == owner;
}

export function dropHandle(h: i32): void {
  unchecked(hOwner[h] = -1);
  unchecked(hKind[h] = MEMKIND_ARENA);
  unchecked(freeList[freeTop++] = h);
}
