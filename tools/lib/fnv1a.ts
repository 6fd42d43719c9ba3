// FNV-1a, 32 bits: the hash the boot table and the registry name things by
// (a capability's label, an interface's hash). init computes the same in
// userland/lib, so both sides agree on every label.
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const utf8 = new TextEncoder();

/** FNV-1a, 32 bits, over the UTF-8 bytes of `s`; unsigned. */
export function fnv1a(s: string): number {
  let h = FNV_OFFSET;
  for (const b of utf8.encode(s)) h = Math.imul(h ^ b, FNV_PRIME);
  return h >>> 0;
}
