// Kernel-managed memory through the memory manager ("memory" in the
// manifest's caps): memAlloc returns a virtual address in this process,
// read and written with sys.vm_read / sys.vm_write. Small requests are
// chunks of an arena the manager gives once and this library maps; larger
// ones are objects of their own, mapped on their own pages.
import * as sys from "./sys";
import {
  VM_READ, VM_WRITE, PAGE_SIZE, E_BADSLOT, E_NORECV,
} from "../../kernel/abi";
import {
  TAG_MEM_ALLOC, TAG_MEM_RELEASE, MEMTYPE_CLASSICAL, MEMKIND_ARENA, MEMKIND_OBJECT, MEM_SMALL_MAX,
} from "./proto/index";
import { capByName, fnv1a } from "./caps";
import { callForCap } from "./ipc";

const ARENA_VA: u32 = 0x10000000;
const OBJECTS_VA: u32 = 0x20000000;
let manager = -2;
let arenaMapped = false;
let nextVa: u32 = OBJECTS_VA;
let lastError = 0;
let lastHandle: i64 = 0;

/** Why the last memAlloc returned 0 (an error code from kernel/abi.ts). */
export function memError(): i32 { return lastError; }
/** The handle of the last successful memAlloc, for memFree. */
export function memHandle(): i64 { return lastHandle; }

@inline function managerSlot(): i32 {
  if (manager == -2) manager = capByName("memory");
  return manager;
}

/** Map the arena once: from this reply's capability, or the one kept from before a restart. */
function mapArena(cap: i32): bool {
  if (arenaMapped) return true;
  let slot = cap;
  if (slot >= 0) sys.cap_label(slot, fnv1a("memory-arena"));
  else slot = sys.cap_find(fnv1a("memory-arena"));
  if (slot < 0) { lastError = E_BADSLOT; return false; }
  const r = sys.mem_map(slot, ARENA_VA, VM_READ | VM_WRITE);
  if (r < 0) { lastError = r; return false; }
  arenaMapped = true;
  return true;
}

/** `bytes` of memory: its virtual address, or 0 (memError() says why). */
export function memAlloc(bytes: i32): u32 {
  const m = managerSlot();
  if (m < 0) { lastError = m; return 0; }
  // A capability comes with the reply for an object, and for the arena the
  // first time; a small request served from the arena already mapped brings
  // none, so it needs no slot armed (two syscalls fewer). If the manager was
  // restarted meanwhile, it must hand a new arena over: it refuses without a
  // slot (E_NORECV), and the request is made again with one.
  const small = arenaMapped && bytes <= MEM_SMALL_MAX;
  let r = small ? sys.call(m, TAG_MEM_ALLOC, bytes, MEMTYPE_CLASSICAL, 0, 0, 0, 0) : callForCap(m, TAG_MEM_ALLOC, bytes, MEMTYPE_CLASSICAL);
  if (small && r == E_NORECV) {
    arenaMapped = false;
    r = callForCap(m, TAG_MEM_ALLOC, bytes, MEMTYPE_CLASSICAL);
  }
  if (r < 0) { lastError = r; return 0; }
  lastHandle = sys.reply_word(0);
  const offset = <u32>sys.reply_word(1), kind = <i32>sys.reply_word(3);
  // A chunk of the arena already mapped: no capability to take, no size to read.
  if (kind == MEMKIND_ARENA && arenaMapped) return ARENA_VA + offset;
  const cap = sys.recv_cap();
  if (kind == MEMKIND_ARENA) return mapArena(cap) ? ARENA_VA + offset : 0;
  const size = <u32>sys.reply_word(2);
  if (kind != MEMKIND_OBJECT || cap < 0) { lastError = E_BADSLOT; return 0; }
  const va = nextVa;
  const mr = sys.mem_map(cap, va, VM_READ | VM_WRITE);
  if (mr < 0) { lastError = mr; return 0; }
  nextVa += (size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
  return va;
}

/** Give an allocation back (its handle from memHandle()). */
export function memFree(handle: i64): i32 {
  const m = managerSlot();
  return m < 0 ? m : sys.call(m, TAG_MEM_RELEASE, handle, 0, 0, 0, 0, 0);
}
