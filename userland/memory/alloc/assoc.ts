// Associative memory: a content-addressable key -> value store on the pages
// of a memory object the manager maps into its own address space. Entries
// are 64-byte slots (state, 16-byte key, 24-byte value) in an open-addressed
// table; lookup by key hashes, lookup by content scans the values.
import { sys, OK, E_NOMEM, VM_READ, VM_WRITE, PAGE_SIZE, MAX_OBJECT_PAGES } from "../../lib";

const SLOT = 64;
const STORE_VA: u32 = 0x40000000; // store i is mapped at STORE_VA + i * 4 MiB
const STORES = 64;
const storeSlot = new StaticArray<i32>(STORES); // the object's capability; -1: free
const storeEntries = new StaticArray<i32>(STORES);
const entry = new StaticArray<u8>(SLOT);
const EMPTY: u64 = 0, USED: u64 = 1, GONE: u64 = 2;

export function storesInit(): void { for (let i = 0; i < STORES; i++) unchecked(storeSlot[i] = -1); }

@inline function va(store: i32, i: i32): u32 { return STORE_VA + <u32>store * (MAX_OBJECT_PAGES * PAGE_SIZE) + <u32>i * SLOT; }
@inline function e(): usize { return changetype<usize>(entry); }

/** A new store over `slot`'s `pages`; its index, or an error. */
export function storeOpen(slot: i32, pages: i32): i32 {
  let s = 0;
  while (s < STORES && unchecked(storeSlot[s]) >= 0) s++;
  if (s == STORES) return E_NOMEM;
  const r = sys.mem_map(slot, va(s, 0), VM_READ | VM_WRITE);
  if (r < 0) return r;
  unchecked(storeSlot[s] = slot);
  unchecked(storeEntries[s] = pages * PAGE_SIZE / SLOT);
  return s;
}

export function storeClose(s: i32): void {
  sys.vm_unmap(va(s, 0), storeEntries[s] * SLOT / PAGE_SIZE);
  unchecked(storeSlot[s] = -1);
}

@inline function mix(k0: i64, k1: i64): u32 {
  let h = <u64>k0 * 0x9e3779b97f4a7c15 ^ <u64>k1 * 0xc2b2ae3d27d4eb4f;
  h ^= h >> 29;
  return <u32>h;
}

function readSlot(s: i32, i: i32): u64 { sys.vm_read(va(s, i), e(), SLOT); return load<u64>(e()); }

/** The slot of `key` (found), or of the first reusable slot (absent); -1 if the table is full. */
function probe(s: i32, k0: i64, k1: i64, forInsert: bool): i32 {
  const n = unchecked(storeEntries[s]);
  let reuse = -1;
  for (let k = 0, i = <i32>(mix(k0, k1) % <u32>n); k < n; k++, i = (i + 1) % n) {
    const state = readSlot(s, i);
    if (state == EMPTY) return forInsert ? (reuse >= 0 ? reuse : i) : -1;
    if (state == GONE) { if (reuse < 0) reuse = i; continue; }
    if (load<i64>(e() + 8) == k0 && load<i64>(e() + 16) == k1) return i;
  }
  return forInsert ? reuse : -1;
}

export function put(s: i32, k0: i64, k1: i64, v0: i64, v1: i64, v2: i64): i32 {
  const i = probe(s, k0, k1, true);
  if (i < 0) return E_NOMEM;
  store<u64>(e(), USED); store<i64>(e() + 8, k0); store<i64>(e() + 16, k1);
  store<i64>(e() + 24, v0); store<i64>(e() + 32, v1); store<i64>(e() + 40, v2);
  const r = sys.vm_write(va(s, i), e(), SLOT);
  return r < 0 ? r : OK;
}

/** Reply (1, value) when the key is there, (0) when not. */
export function get(s: i32, k0: i64, k1: i64): i32 {
  const i = probe(s, k0, k1, false);
  if (i < 0) { sys.reply(0, 0, 0, 0, 0, 0); return OK; }
  sys.reply(1, load<i64>(e() + 24), load<i64>(e() + 32), load<i64>(e() + 40), 0, 0);
  return OK;
}

export function del(s: i32, k0: i64, k1: i64): i32 {
  const i = probe(s, k0, k1, false);
  if (i < 0) { sys.reply(0, 0, 0, 0, 0, 0); return OK; }
  store<u64>(e(), GONE);
  sys.vm_write(va(s, i), e(), 8);
  sys.reply(1, 0, 0, 0, 0, 0);
  return OK;
}

/** Lookup by content: the key of the first entry holding this value. */
export function find(s: i32, v0: i64, v1: i64, v2: i64): i32 {
  for (let i = 0, n = unchecked(storeEntries[s]); i < n; i++) {
    if (readSlot(s, i) != USED) continue;
    if (load<i64>(e() + 24) == v0 && load<i64>(e() + 32) == v1 && load<i64>(e() + 40) == v2) {
      sys.reply(1, load<i64>(e() + 8), load<i64>(e() + 16), 0, 0, 0);
      return OK;
    }
  }
  sys.reply(0, 0, 0, 0, 0, 0);
  return OK;
}

@inline export function validStore(s: i32): bool { return s >= 0 && s < STORES && unchecked(storeSlot[s]) >= 0; }
