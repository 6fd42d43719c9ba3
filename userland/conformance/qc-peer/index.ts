// qc-peer: the server the conformance suite (qc) drives. Each op exposes one
// kernel behaviour to the caller as a status or reply words, so that qc can
// check from outside what the kernel did inside another process.
import {
  sys, arg, reply, OK, E_ARG, E_STATE, MSG_CALL, MSG_LEASE_SHIFT, CSPACE_SLOTS, PAGE_SIZE, TAG_PING, RECV_ANY, RECV_NONE,
} from "../../lib";
import {
  QC_ECHO, QC_STATUS, QC_BADGE, QC_TRAP, QC_PROBE, QC_SUM, QC_FILL, QC_STATS, QC_SEQ, QC_RESET, QC_KEEP, QC_USE,
  QC_DROP, QC_CAP_BACK, QC_CAP_BACK_DELETED, QC_CALLBACK, QC_INFO, QC_SLOTS, QC_PROBE_READ, QC_PROBE_BYTE, foldSeq,
  QC_VM_MAP, QC_VM_UNMAP, QC_VM_PROTECT, QC_VM_READ, QC_VM_WRITE, QC_VM_QUERY, QC_MEM_MAP, QC_MEM_DROP, QC_SPIN, QC_SPIN_N, QC_HANG_PINGS, QC_PID,
  QC_RECV, QC_RECV_OFF, QC_RECV_ON, QC_RECV_ONCE, QC_SLOT_INFO,
} from "../common/tags";

const BUF = 4096;
const buf = new StaticArray<u8>(BUF);

let restarts = 0;
let queued: i64 = 0; // queued messages handled since start (or since QC_RESET)
let calls: i64 = 0; // calls handled since start
let checksum: i64 = 0;
let queuedReply: i64 = 0; // what reply() returned while handling the last queued message
let queuedInfo: i64 = 0; // msg_info() then
let kept = -1; // slot of the capability kept by QC_KEEP
// Slot of the memory capability kept by QC_MEM_MAP: its mappings last as long
// as it does. Apart from `kept`, so the memory tests and the capability tests
// cannot delete each other's capability.
let memKept = -1;
// A capability attached to a reply must outlive the handler (the kernel copies
// it after the return), so it is deleted when the next message arrives.
let pendingDelete = -1;

// How qc-peer receives capabilities (QC_RECV_*): by default it takes one with
// any message, in a slot the kernel picks, and arms the next slot after each.
let receiving = QC_RECV_ON;

export function quark_start(pid: i32, restartCount: i32): i32 {
  restarts = restartCount;
  sys.cap_recv(RECV_ANY);
  return OK;
}

/** QC_RECV: change how capabilities are received; cap_recv's result. */
function setReceiving(mode: i32, slot: i32): i64 {
  if (mode == QC_RECV_OFF) { receiving = mode; return sys.cap_recv(RECV_NONE); }
  if (mode == QC_RECV_ON) { receiving = mode; return sys.cap_recv(RECV_ANY); }
  if (mode == QC_RECV_ONCE) { receiving = mode; return sys.cap_recv(slot); }
  return E_ARG;
}

/** A capability arrived and consumed the armed slot: arm the next one if receiving by default. */
function received(cap: i32): void {
  if (cap >= 0 && receiving == QC_RECV_ON) sys.cap_recv(RECV_ANY);
}

let hangPings = false;

export function quark_handle(badge: i32, tag: i32): i32 {
  if (tag == TAG_PING) { if (hangPings) spin(-1); return OK; } // init's liveness check is not part of any test
  if (pendingDelete >= 0) { sys.cap_delete(pendingDelete); pendingDelete = -1; }
  const info = sys.msg_info();
  const cap = sys.msg_cap();
  if (info < 0 || (info & MSG_CALL) == 0) {
    onQueued(tag, info);
    // Every capability sent to the peer is released, or a sender could fill its space.
    if (cap >= 0) sys.cap_delete(cap);
    received(cap);
    return OK;
  }
  calls++;
  let keepCap = false;
  let status = OK;
  switch (tag) {
    case QC_ECHO: reply(arg(0), arg(1), arg(2), arg(3), arg(4), arg(5)); break;
    case QC_STATUS: status = <i32>arg(0); break;
    case QC_BADGE: reply(badge); break;
    case QC_TRAP: unreachable(); break;
    case QC_PROBE: status = probe(<i32>arg(0), <i32>arg(1), <i32>arg(2), <i32>arg(3)); break;
    case QC_SUM: status = sum(<i32>arg(0)); break;
    case QC_FILL: status = fill(<u8>arg(0), <i32>arg(1)); break;
    case QC_STATS: reply(queued, calls, restarts, checksum, queuedReply, queuedInfo); break;
    case QC_RESET: queued = 0; checksum = 0; queuedReply = 0; queuedInfo = 0; break;
    case QC_KEEP: {
      if (cap < 0) { status = E_ARG; break; }
      if (kept >= 0 && kept != cap) sys.cap_delete(kept);
      kept = cap;
      keepCap = true;
      status = sys.cap_info(kept);
      break;
    }
    case QC_USE: status = kept < 0 ? E_STATE : sys.cap_info(kept); break;
    case QC_DROP: {
      if (kept < 0) { status = E_STATE; break; }
      status = kept == cap ? OK : sys.cap_delete(kept);
      kept = -1;
      break;
    }
    case QC_CAP_BACK: {
      if (cap < 0) { status = E_ARG; break; }
      reply(sys.cap_info(cap));
      status = sys.reply_cap(cap);
      pendingDelete = cap;
      keepCap = true;
      break;
    }
    case QC_CAP_BACK_DELETED: {
      if (cap < 0) { status = E_ARG; break; }
      status = sys.reply_cap(cap);
      if (status == OK) status = sys.cap_delete(cap);
      keepCap = true;
      break;
    }
    case QC_CALLBACK: {
      const via = cap >= 0 ? cap : kept;
      if (via < 0) { status = E_STATE; break; }
      reply(sys.call(via, QC_ECHO, 0, 0, 0, 0, 0, 0));
      break;
    }
    case QC_INFO: {
      const lc = info >>> MSG_LEASE_SHIFT;
      reply(info, cap, cap >= 0 ? sys.cap_info(cap) : cap, lc, sys.lease_len(0));
      break;
    }
    case QC_SLOTS: reply(occupiedSlots()); break;
    case QC_RECV: reply(setReceiving(<i32>arg(0), <i32>arg(1))); break;
    case QC_SLOT_INFO: status = sys.cap_info(<i32>arg(0)); break;
    case QC_SPIN: spin(-1); break;
    case QC_SPIN_N: reply(spin(arg(0))); break;
    case QC_HANG_PINGS: hangPings = true; break;
    case QC_PID: reply(sys.self()); break;
    case QC_VM_MAP: status = vmMapFill(<u32>arg(0), <i32>arg(1), <i32>arg(2), <u8>arg(3)); break;
    case QC_VM_UNMAP: status = sys.vm_unmap(<u32>arg(0), <i32>arg(1)); break;
    case QC_VM_PROTECT: status = sys.vm_protect(<u32>arg(0), <i32>arg(1), <i32>arg(2)); break;
    case QC_VM_READ: status = vmRead(<u32>arg(0), <i32>arg(1)); break;
    case QC_VM_WRITE: {
      const len = <i32>arg(1);
      if (len > BUF) { status = E_ARG; break; }
      memory.fill(changetype<usize>(buf), <u8>arg(2), BUF);
      status = sys.vm_write(<u32>arg(0), changetype<usize>(buf), len);
      break;
    }
    case QC_VM_QUERY: status = sys.vm_query(<u32>arg(0)); break;
    case QC_MEM_MAP: {
      if (cap >= 0) {
        if (memKept >= 0 && memKept != cap) sys.cap_delete(memKept);
        memKept = cap;
        keepCap = true;
      }
      if (memKept < 0) { status = E_STATE; break; }
      reply(sys.cap_info(memKept));
      status = sys.mem_map(memKept, <u32>arg(0), <i32>arg(1));
      break;
    }
    case QC_MEM_DROP: {
      if (memKept < 0) { status = E_STATE; break; }
      status = sys.cap_delete(memKept);
      memKept = -1;
      break;
    }
    default: status = E_ARG;
  }
  if (cap >= 0 && !keepCap) sys.cap_delete(cap);
  received(cap);
  return status;
}

function onQueued(tag: i32, info: i32): void {
  queued++;
  queuedInfo = info;
  queuedReply = sys.reply(0, 0, 0, 0, 0, 0);
  if (tag == QC_SEQ) checksum = foldSeq(checksum, arg(0));
  else if (tag == QC_TRAP) unreachable();
}

/**
 * One lease access with the caller's offset and length, passed on unchecked:
 * the kernel is what must refuse a bad one. Only lengths beyond the local
 * buffer that the kernel wrongly accepts could reach past it.
 */
function probe(mode: i32, off: i32, len: i32, index: i32): i32 {
  const p = changetype<usize>(buf);
  if (mode == QC_PROBE_READ) {
    memory.fill(p, 0, BUF);
    const r = sys.lease_read(index, off, p, len);
    let s: i64 = 0;
    for (let i = 0, n = min(r, BUF); i < n; i++) s += unchecked(buf[i]);
    reply(r, s);
    return r;
  }
  memory.fill(p, QC_PROBE_BYTE, BUF);
  const r = sys.lease_write(index, off, p, len);
  reply(r);
  return r;
}

function sum(index: i32): i32 {
  const len = sys.lease_len(index);
  if (len < 0) return len;
  const p = changetype<usize>(buf);
  let s: i64 = 0;
  for (let off = 0; off < len; off += BUF) {
    const n = sys.lease_read(index, off, p, min(BUF, len - off));
    if (n < 0) return n;
    for (let i = 0; i < n; i++) s += unchecked(buf[i]);
  }
  reply(s, len);
  return OK;
}

function fill(b: u8, index: i32): i32 {
  const len = sys.lease_len(index);
  if (len < 0) return len;
  const p = changetype<usize>(buf);
  memory.fill(p, b, BUF);
  for (let off = 0; off < len; off += BUF) {
    const n = sys.lease_write(index, off, p, min(BUF, len - off));
    if (n < 0) return n;
  }
  reply(len);
  return OK;
}

/** Map `npages` demand-zero pages and, unless `b` is 0, write every byte of them. */
function vmMapFill(vaddr: u32, npages: i32, rights: i32, b: u8): i32 {
  const r = sys.vm_map(vaddr, npages, rights);
  if (r != OK || b == 0) return r;
  const p = changetype<usize>(buf);
  memory.fill(p, b, BUF);
  let pages = 0;
  for (; pages < npages; pages++) {
    const w = sys.vm_write(vaddr + <u32>pages * PAGE_SIZE, p, PAGE_SIZE);
    if (w < 0) { reply(pages); return w; }
  }
  reply(pages);
  return OK;
}

/** One vm_read into the local buffer, which bounds the length. */
function vmRead(vaddr: u32, len: i32): i32 {
  if (len > BUF) return E_ARG;
  const p = changetype<usize>(buf);
  memory.fill(p, 0, BUF);
  const r = sys.vm_read(vaddr, p, len);
  let s: i64 = 0;
  for (let i = 0, n = min(r, BUF); i < n; i++) s += unchecked(buf[i]);
  reply(r, s, load<i64>(p));
  return r;
}

function occupiedSlots(): i32 {
  let n = 0;
  for (let s = 0; s < CSPACE_SLOTS; s++) if (sys.cap_info(s) >= 0) n++;
  return n;
}

let spun: i64 = 0;

/** Count to `n` (forever when negative); the work a CPU budget measures. */
function spin(n: i64): i64 {
  let i: i64 = 0;
  while (n < 0 || i < n) { i++; spun += i; }
  return i;
}
