// memsvc: the memory manager's protocol (TAG_MEM_*, TAG_ASSOC_*): what a
// client gets, what it may do with it, and that the manager keeps its books.
import {
  sys, callForCap, OK, E_ARG, E_RIGHTS, E_BADSLOT, E_NOMEM, E_UNMAPPED, VM_READ, VM_WRITE, R_READ, R_WRITE, PAGE_SIZE,
  TAG_MEM_ALLOC, TAG_MEM_RELEASE, TAG_MEM_SHARE, TAG_MEM_PROTECT, TAG_MEM_STATUS, TAG_ASSOC_PUT, TAG_ASSOC_GET,
  TAG_ASSOC_DEL, TAG_ASSOC_FIND, MEMTYPE_CLASSICAL, MEMTYPE_ASSOCIATIVE, MEMTYPE_QUANTUM, MEMKIND_ARENA,
  MEMKIND_OBJECT, MEMKIND_STORE, MEMKIND_QUBITS, QUBIT_CAPACITY, ST_FREE_FRAMES, MEM_SMALL_MAX,
  memAlloc, memFree, memHandle, memError, TAG_INIT_RESTART, SVC_RUNNING,
} from "../../lib";
import { test, check, expect, finish, unsupported, track, phase, later, poll, waitOver, fail } from "./driver";
import { findService, serviceStatus, initCap } from "./initctl";
import { memoryCap } from "./env";
import { rightsOf } from "./env";

const S = "memsvc";
const NO_MEMORY = "the image has no memory service";
const buf = new StaticArray<u8>(8192);
@inline function bufPtr(): usize { return changetype<usize>(buf); }
let framesAtStart = -1;

export function addMemsvcTests(): void {
  test(S, "a-small-allocation-is-a-chunk-of-the-callers-arena", smallIsArenaChunk);
  test(S, "a-large-allocation-is-an-object-of-its-own", largeIsObject);
  test(S, "a-handle-answers-only-to-its-owner-and-only-once", handleChecks);
  test(S, "a-share-carries-at-most-the-rights-the-owner-allows", shareRights);
  test(S, "release-takes-the-memory-from-every-holder", releaseRevokes);
  test(S, "going-over-a-quota-is-an-error-and-release-makes-room", quotaEnforced);
  test(S, "an-associative-store-finds-by-key-and-by-content", associative);
  test(S, "qubit-registers-are-booked-and-returned", qubits);
  test(S, "bad-requests-are-refused", badRequests);
  test(S, "no-frame-is-left-behind", noLeak);
  test(S, "after-the-manager-restarts-a-small-allocation-gets-a-new-arena", afterRestart);
}

@inline function mem(tag: i32, w0: i64 = 0, w1: i64 = 0, w2: i64 = 0, w3: i64 = 0, w4: i64 = 0, w5: i64 = 0): i32 {
  return callForCap(memoryCap, tag, w0, w1, w2, w3, w4, w5); // a slot armed for a capability in the reply
}

function smallIsArenaChunk(): bool {
  if (memoryCap < 0) return unsupported(NO_MEMORY);
  const a = memAlloc(64);
  // From here on the arena and its mapping in qc exist for good; nothing else may stay.
  framesAtStart = sys.stats(ST_FREE_FRAMES);
  check(a != 0, "memAlloc(64) failed: " + memError().toString());
  const ha = memHandle();
  const b = memAlloc(100);
  const hb = memHandle();
  check(b != 0 && b != a, "a second small allocation must be another chunk");
  if (a != 0 && b != 0) {
    expect("the 100-byte chunk's alignment", b % 128, 0);
    memory.fill(bufPtr(), 0x3c, 64);
    expect("vm_write into the chunk", sys.vm_write(a, bufPtr(), 64), 64);
    expect("vm_read it back", sys.vm_read(a, bufPtr() + 4096, 64), 64);
    expect("a byte read back", load<u8>(bufPtr() + 4096 + 63), 0x3c);
  }
  expect("release of the first", memFree(ha), OK);
  expect("release of the second", memFree(hb), OK);
  const c = memAlloc(64);
  expect("a freed chunk is reused", c, a);
  memFree(memHandle());
  return finish();
}

function largeIsObject(): bool {
  if (memoryCap < 0) return unsupported(NO_MEMORY);
  expect("allocate 3 pages and a byte", mem(TAG_MEM_ALLOC, 3 * PAGE_SIZE + 1, MEMTYPE_CLASSICAL), OK);
  const h = sys.reply_word(0);
  expect("its kind", sys.reply_word(3), MEMKIND_OBJECT);
  expect("bytes granted (whole pages)", sys.reply_word(2), 4 * PAGE_SIZE);
  const cap = track(sys.recv_cap());
  check(cap >= 0, "no capability came with the object");
  if (cap >= 0) {
    expect("mem_map of it", sys.mem_map(cap, 0x50000000, VM_READ | VM_WRITE), OK);
    expect("a write at its end", sys.vm_write(0x50000000 + 4 * PAGE_SIZE - 1, bufPtr(), 1), 1);
  }
  expect("release", mem(TAG_MEM_RELEASE, h), OK);
  expect("its mapping is gone with it", sys.vm_query(0x50000000), E_UNMAPPED);
  return finish();
}

function handleChecks(): bool {
  if (memoryCap < 0) return unsupported(NO_MEMORY);
  expect("release of a handle never given", mem(TAG_MEM_RELEASE, 4000), E_BADSLOT);
  expect("release of handle 0", mem(TAG_MEM_RELEASE, 0), E_BADSLOT);
  expect("release of a negative handle", mem(TAG_MEM_RELEASE, -5), E_BADSLOT);
  expect("allocate", mem(TAG_MEM_ALLOC, 32, MEMTYPE_CLASSICAL), OK);
  const h = sys.reply_word(0);
  expect("release", mem(TAG_MEM_RELEASE, h), OK);
  expect("release again", mem(TAG_MEM_RELEASE, h), E_BADSLOT);
  return finish();
}

function shareRights(): bool {
  if (memoryCap < 0) return unsupported(NO_MEMORY);
  expect("allocate an object", mem(TAG_MEM_ALLOC, MEM_SMALL_MAX + 1, MEMTYPE_CLASSICAL), OK);
  const h = sys.reply_word(0);
  track(sys.recv_cap());
  expect("share read-only", mem(TAG_MEM_SHARE, h, VM_READ), OK);
  const ro = track(sys.recv_cap());
  if (check(ro >= 0, "no capability came with the share")) {
    expect("its rights carry read and not write", rightsOf(sys.cap_info(ro)) & (R_READ | R_WRITE), R_READ);
    expect("mapping the read-only share writable", sys.mem_map(ro, 0x51000000, VM_READ | VM_WRITE), E_RIGHTS);
  }
  expect("protect: later shares read-only", mem(TAG_MEM_PROTECT, h, VM_READ), OK);
  expect("a writable share after that", mem(TAG_MEM_SHARE, h, VM_READ | VM_WRITE), E_RIGHTS);
  expect("a share of an arena chunk", shareChunk(), E_ARG);
  expect("release", mem(TAG_MEM_RELEASE, h), OK);
  return finish();
}

function shareChunk(): i32 {
  if (mem(TAG_MEM_ALLOC, 16, MEMTYPE_CLASSICAL) != OK) return -999;
  const h = sys.reply_word(0);
  const r = mem(TAG_MEM_SHARE, h, VM_READ);
  mem(TAG_MEM_RELEASE, h);
  return r;
}

function releaseRevokes(): bool {
  if (memoryCap < 0) return unsupported(NO_MEMORY);
  expect("allocate an object", mem(TAG_MEM_ALLOC, PAGE_SIZE * 2, MEMTYPE_CLASSICAL), OK);
  const h = sys.reply_word(0);
  track(sys.recv_cap());
  expect("share it", mem(TAG_MEM_SHARE, h, VM_READ), OK);
  const share = track(sys.recv_cap());
  expect("map the share", sys.mem_map(share, 0x52000000, VM_READ), OK);
  expect("release", mem(TAG_MEM_RELEASE, h), OK);
  expect("the share's mapping after release", sys.vm_query(0x52000000), E_UNMAPPED);
  expect("the share's capability after release", sys.cap_info(share), E_BADSLOT);
  return finish();
}

function quotaEnforced(): bool {
  if (memoryCap < 0) return unsupported(NO_MEMORY);
  const handles = new Array<i64>();
  let r = OK;
  for (let i = 0; i < 64 && r == OK; i++) {
    r = mem(TAG_MEM_ALLOC, 64 * PAGE_SIZE, MEMTYPE_CLASSICAL);
    if (r == OK) { handles.push(sys.reply_word(0)); track(sys.recv_cap()); }
  }
  expect("allocating 64 × 256 KiB ends with", r, E_NOMEM);
  check(handles.length > 0, "not even one 256 KiB object could be allocated");
  if (handles.length > 0) {
    expect("release one", mem(TAG_MEM_RELEASE, handles.pop()), OK);
    expect("then the same allocation", mem(TAG_MEM_ALLOC, 64 * PAGE_SIZE, MEMTYPE_CLASSICAL), OK);
    handles.push(sys.reply_word(0));
    track(sys.recv_cap());
  }
  for (let i = 0; i < handles.length; i++) mem(TAG_MEM_RELEASE, handles[i]);
  return finish();
}

function associative(): bool {
  if (memoryCap < 0) return unsupported(NO_MEMORY);
  expect("allocate a store of one page", mem(TAG_MEM_ALLOC, PAGE_SIZE, MEMTYPE_ASSOCIATIVE), OK);
  const h = sys.reply_word(0);
  expect("its kind", sys.reply_word(3), MEMKIND_STORE);
  expect("entries", sys.reply_word(2), PAGE_SIZE / 64);
  for (let k = 0; k < 40; k++) expect("put " + k.toString(), mem(TAG_ASSOC_PUT, h, k, -k, k * 10, k * 20, k * 30), OK);
  expect("get 17", mem(TAG_ASSOC_GET, h, 17, -17), OK);
  expect("17 found", sys.reply_word(0), 1);
  expect("17's value", sys.reply_word(2), 340);
  expect("find by content (230, 460, 690)", mem(TAG_ASSOC_FIND, h, 230, 460, 690), OK);
  expect("found", sys.reply_word(0), 1);
  expect("its key", sys.reply_word(1), 23);
  expect("delete 17", mem(TAG_ASSOC_DEL, h, 17, -17), OK);
  expect("17 after delete", mem(TAG_ASSOC_GET, h, 17, -17) == OK ? sys.reply_word(0) : -1, 0);
  expect("put 17 again", mem(TAG_ASSOC_PUT, h, 17, -17, 1, 2, 3), OK);
  expect("get 17 again", mem(TAG_ASSOC_GET, h, 17, -17) == OK ? sys.reply_word(1) : -1, 1);
  let full = OK;
  for (let k = 100; k < 200 && full == OK; k++) full = mem(TAG_ASSOC_PUT, h, k, k, 0, 0, 0);
  expect("putting more than the store holds", full, E_NOMEM);
  expect("release the store", mem(TAG_MEM_RELEASE, h), OK);
  expect("a get through the released handle", mem(TAG_ASSOC_GET, h, 1, -1), E_BADSLOT);
  return finish();
}

function qubits(): bool {
  if (memoryCap < 0) return unsupported(NO_MEMORY);
  expect("book 10 qubits", mem(TAG_MEM_ALLOC, 10, MEMTYPE_QUANTUM), OK);
  const h = sys.reply_word(0);
  expect("their kind", sys.reply_word(3), MEMKIND_QUBITS);
  expect("status", mem(TAG_MEM_STATUS), OK);
  expect("qubits free", sys.reply_word(5), QUBIT_CAPACITY - 10);
  expect("book more than are left", mem(TAG_MEM_ALLOC, QUBIT_CAPACITY - 9, MEMTYPE_QUANTUM), E_NOMEM);
  expect("release", mem(TAG_MEM_RELEASE, h), OK);
  expect("status", mem(TAG_MEM_STATUS), OK);
  expect("qubits free after release", sys.reply_word(5), QUBIT_CAPACITY);
  return finish();
}

function badRequests(): bool {
  if (memoryCap < 0) return unsupported(NO_MEMORY);
  expect("allocate 0 bytes", mem(TAG_MEM_ALLOC, 0, MEMTYPE_CLASSICAL), E_ARG);
  expect("allocate -1 bytes", mem(TAG_MEM_ALLOC, -1, MEMTYPE_CLASSICAL), E_ARG);
  expect("allocate 2^40 bytes", mem(TAG_MEM_ALLOC, <i64>1 << 40, MEMTYPE_CLASSICAL), E_ARG);
  expect("an unknown memory type", mem(TAG_MEM_ALLOC, 64, 99), E_ARG);
  expect("a store operation on a plain allocation", plainAsStore(), E_BADSLOT);
  return finish();
}

function plainAsStore(): i32 {
  if (mem(TAG_MEM_ALLOC, 64, MEMTYPE_CLASSICAL) != OK) return -999;
  const h = sys.reply_word(0);
  const r = mem(TAG_ASSOC_GET, h, 1, 1);
  mem(TAG_MEM_RELEASE, h);
  return r;
}

function noLeak(): bool {
  if (memoryCap < 0) return unsupported(NO_MEMORY);
  // The arena stays with its client; everything else this suite allocated is released.
  expect("status", mem(TAG_MEM_STATUS), OK);
  const arenaPages = 16;
  expect("free frames after the suite (the arena made at its start stays)", sys.stats(ST_FREE_FRAMES), framesAtStart);
  check(sys.reply_word(2) <= arenaPages, "the manager charges qc " + sys.reply_word(2).toString() + " pages; only the arena should remain");
  return finish();
}


// The restarted manager revokes the old instance's allocations, the arena and
// its mapping in qc among them: the library's next small request must bring a
// new arena (the manager hands it over only into an armed slot) and work.
let memoryIndex = -1;
function afterRestart(): bool {
  if (memoryCap < 0) return unsupported(NO_MEMORY);
  if (initCap() < 0) return unsupported("qc holds no init capability");
  if (phase() == 0) {
    memoryIndex = findService("memory");
    if (memoryIndex < 0) return unsupported("init knows no service named memory");
    expect("a small allocation before", memAlloc(64) != 0 ? 1 : 0, 1);
    memFree(memHandle());
    expect("restart of the memory manager", sys.call(initCap(), TAG_INIT_RESTART, memoryIndex, 0, 0, 0, 0, 0), OK);
    return later(1);
  }
  if (serviceStatus(memoryIndex) != SVC_RUNNING) {
    if (!waitOver()) return poll(1);
    return fail("the memory manager is not running again within 2 s");
  }
  const a = memAlloc(64);
  if (!check(a != 0, "memAlloc(64) after the restart failed: " + memError().toString())) return finish();
  memory.fill(bufPtr(), 0x5a, 64);
  expect("vm_write into the new arena", sys.vm_write(a, bufPtr(), 64), 64);
  expect("vm_read it back", sys.vm_read(a, bufPtr() + 4096, 64), 64);
  expect("a byte read back", load<u8>(bufPtr() + 4096 + 63), 0x5a);
  expect("release", memFree(memHandle()), OK);
  return finish();
}
