// qc-fuzz: a hostile service. On request it makes thousands of seeded random
// syscalls, mostly through the generic `syscall` entry, with arguments biased
// towards the edges where checks go wrong. It holds no console capability (so
// no random write can reach the console), only qc-peer's endpoint, and no
// right over any process. Whatever it does, the kernel must answer with an
// error code, never trap, and leave the other services working.
import {
  sys, arg, reply, capByName, OK, E_ARG, E_STATE, K_ENDPOINT, CSPACE_SLOTS, SYS_COUNT, SYS_TIME, SYS_STATS, SYS_SELF, RECV_NONE,
} from "../../lib";
import { QC_FUZZ_RUN, QC_FUZZ_RELAY, QC_FUZZ_RELAY_CAP } from "../common/tags";

let peer = -1;
let state: u64 = 1;

// Values where range checks tend to be off by one or overflow.
const EDGES: StaticArray<i64> = [
  0, 1, -1, 2, -2, 63, 64, 65, 4095, 4096, 65536,
  0x7fffffff, 0x7ffffffe, -0x80000000, -0x7fffffff, 0xffffffff, 0x100000000, 0x100000001,
  i64.MAX_VALUE, i64.MIN_VALUE, i64.MAX_VALUE - 1, i64.MIN_VALUE + 1,
];

export function quark_start(pid: i32, restarts: i32): i32 {
  peer = capByName("qc-peer");
  return OK;
}

export function quark_handle(badge: i32, tag: i32): i32 {
  if (tag == QC_FUZZ_RUN) return run(<i32>arg(0), arg(1));
  if (tag == QC_FUZZ_RELAY || tag == QC_FUZZ_RELAY_CAP) return relay(tag == QC_FUZZ_RELAY_CAP);
  return E_ARG;
}

// Timers the random calls arm end up here; there is nothing to do.
export function quark_notify(bits: i32, unused: i32): i32 { return OK; }

function next(): u64 {
  let x = state;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  state = x;
  return x;
}

/** Half small values, a quarter edges, a quarter anything. */
function randomArg(): i64 {
  const r = next();
  const k = r & 3;
  if (k < 2) return <i64>((r >> 8) % 89) - 8;
  if (k == 2) return unchecked(EDGES[<i32>((r >> 8) % <u64>EDGES.length)]);
  return <i64>next();
}

function run(count: i32, seed: i64): i32 {
  if (count < 0) return E_ARG;
  if (!onlyEndpoints()) return E_STATE;
  state = seed == 0 ? 0x9e3779b97f4a7c15 : <u64>seed;
  let hash: u64 = 0xcbf29ce484222325;
  const span = <u64>(SYS_COUNT + 13); // numbers -4 .. SYS_COUNT + 8
  for (let i = 0; i < count; i++) {
    const pick = next();
    const a0 = randomArg(), a1 = randomArg(), a2 = randomArg(), a3 = randomArg();
    let r: i64;
    if ((pick & 7) == 0) r = typed(<i32>((pick >> 3) % TYPED), a0, a1, a2, a3);
    else {
      const n = <i32>((pick >> 3) % span) - 4;
      r = sys.syscall(n, a0, a1, a2, a3, randomArg(), randomArg(), randomArg(), randomArg());
      // Clocks, counters and pids differ from run to run and image to image.
      if (n == SYS_TIME || n == SYS_STATS || n == SYS_SELF) r = 0;
    }
    hash = (hash ^ <u64>r) * 0x100000001b3;
  }
  settle();
  reply(count, <i64>hash);
  return OK;
}

/**
 * Random syscalls are harmless only while every capability held is an
 * endpoint: with a console, process or boot capability they could write to
 * the console, kill services or halt the machine.
 */
function onlyEndpoints(): bool {
  for (let s = 0; s < CSPACE_SLOTS; s++) {
    const info = sys.cap_info(s);
    if (info >= 0 && (info & 0xff) != K_ENDPOINT) return false;
  }
  return true;
}

const TYPED = 23; // cases of typed()

// Virtual addresses for the typed memory calls: mostly pages around VM_BASE
// (aligned, so that maps succeed and later calls find something there), now
// and then an odd one near 0. Pages near 0 stay unmapped, so a random vm_read
// through the generic entry seldom finds a page to copy into the fuzzer's own
// static data, which lies at low addresses.
const VM_BASE: u32 = 0x40000000;
function vaddr(a: i64): u32 { return (a & 7) == 0 ? <u32>a | 1 : VM_BASE + (<u32>a << 12); }
@inline function rights(a: i64): i32 { return (a & 1) == 0 ? <i32>((a >> 1) & 3) : <i32>a; }

// vm_read copies into the fuzzer's memory: only into this buffer, or past the
// end of its memory (which the kernel must refuse).
const SCRATCH = 8192;
const scratch = new StaticArray<u8>(SCRATCH);
function readInto(va: u32, dst: i64, len: i32): i32 {
  if (<u64><u32>dst >= <u64>memory.size() << 16) return sys.vm_read(va, <usize><u32>dst, len);
  return sys.vm_read(va, changetype<usize>(scratch), min(len, SCRATCH));
}

/** The typed imports, for the narrowing their own signatures do. */
function typed(which: i32, a0: i64, a1: i64, a2: i64, a3: i64): i64 {
  const x0 = <i32>a0, x1 = <i32>a1, x2 = <i32>a2, x3 = <i32>a3;
  switch (which) {
    case 0: return sys.lease(x0, <usize><u32>x1, x2, x3);
    case 1: return sys.lease_len(x0);
    case 2: return sys.lease_read(x0, x1, <usize><u32>x2, x3);
    case 3: return sys.lease_write(x0, x1, <usize><u32>x2, x3);
    case 4: return sys.cap_info(x0);
    case 5: return sys.cap_derive(x0, x1, x2);
    case 6: return sys.xfer(x0);
    case 7: return sys.msg_word(x0);
    case 8: return sys.reply_word(x0);
    case 9: return sys.call(x0, x1, a2, a3, a0, a1, a2, a3);
    case 10: return sys.send(x0, x1, a2, a3, a0, a1, a2, a3);
    case 11: return sys.signal(x0, x1);
    case 12: return sys.vm_map(vaddr(a0), x1, rights(a2));
    case 13: return sys.vm_unmap(vaddr(a0), x1);
    case 14: return sys.vm_protect(vaddr(a0), x1, rights(a2));
    case 15: return readInto(vaddr(a0) + (<u32>x3 & 0x1fff), a1, x2);
    case 16: return sys.vm_write(vaddr(a0) + (<u32>x3 & 0x1fff), <usize><u32>x1, x2);
    case 17: return sys.vm_query(vaddr(a0) + (<u32>x1 & 0xfff));
    case 18: return sys.mem_create(x0);
    case 19: return sys.mem_map(x0, vaddr(a1), rights(a2));
    case 20: return sys.mem_clone(x0);
    case 21: return sys.mem_info(x0, x1);
    default: return sys.proc_quota(x0, x1);
  }
}

/**
 * Leave nothing behind for the next call or the rest of the system: no
 * attachment, no described lease (a call that fails drops both), no
 * capability on the reply, no timer keeping the machine awake, no memory.
 */
function settle(): void {
  sys.xfer(-1);
  sys.call(-1, 0, 0, 0, 0, 0, 0, 0);
  sys.reply_cap(-1);
  sys.cap_recv(RECV_NONE);
  sys.timer_set(0);
  // What the random calls made for themselves: memory objects (with their
  // mappings), anonymous pages, and endpoints (derived ones, its own), which
  // would otherwise fill its space and starve later rounds of free slots.
  // Only the slot of the granted qc-peer endpoint stays, while it still holds
  // an endpoint (the random calls may have deleted it and reused the slot).
  for (let s = 0; s < CSPACE_SLOTS; s++) {
    const info = sys.cap_info(s);
    if (info >= 0 && (s != peer || (info & 0xff) != K_ENDPOINT)) sys.cap_delete(s);
  }
  sys.vm_unmap(0, 1 << 20);
}

function relay(withCap: bool): i32 {
  if (peer < 0) return E_STATE;
  sys.call(-1, 0, 0, 0, 0, 0, 0, 0); // drops anything a RUN left attached
  if (withCap) sys.xfer(peer);

  const r = sys.call(peer, <i32>arg(0), arg(1), arg(2), arg(3), arg(4), arg(5), 0);
  reply(r, sys.reply_word(0), sys.self());
  return OK;
}
