// IPC: synchronous call/reply, asynchronous send, and delivery of queued
// messages and notifications. This is the per-message path: it allocates
// nothing, checks each argument once, and touches the host only through
// host.invoke (the trap-isolating trampoline).
import {
  MAX_PROCS, MSG_WORDS, MAX_CALL_DEPTH, QUEUE_DEPTH, K_ENDPOINT, K_NONE, R_CALL, R_SEND, R_GRANT,
  PS_RUNNING, PS_CREATED, PS_STARTING, PS_PAUSED, ENTRY_HANDLE, ENTRY_NOTIFY, INVOKE_TRAPPED, INVOKE_NOENTRY,
  MSG_CALL, MSG_CAP, MSG_LEASE_SHIFT, FAULT_TRAP, NOTE_STOP, TAG_PING,
  OK, E_DEAD, E_BUSY, E_DEPTH, E_QFULL, E_CRASHED, E_NOENTRY, E_NOTCALL, E_RIGHTS, E_ARG, E_NORECV, RECV_NONE,
} from "./abi";
import { current, pState, pActive, pCalls, pErrors } from "./proc";
import { beginPing, endPing } from "./cpu";
import { invokeAs, INVOKE_TOO_DEEP } from "./entry";
import { lookupInline, lookupAny, capTarget, capBadge, capRights, capKind, receive, recvSlot, armRecv, remove } from "./cspace";
import {
  fCaller, fServer, fFlags, fCap, fReplyCap, fWords, fReply, setWords, setReply, copyReply, getDepth, setDepth, ownFrame, ownCallFrame,
} from "./frame";
import { attachLeases, dropLeases, lCount } from "./lease";
import { enqueue, head, dequeue, qCount, qLimit, entryBadge, entryTag, entryCap, entryWord } from "./endpoint";
import { notePending } from "./notify";
import { markReady, clearReady } from "./sched";
import { fault, finishExit, requestExit, memoryHandled } from "./fault";
import { table } from "./table";

// Per-process client registers: the reply of the last call, the capability
// it brought (its slot, -1: none, E_NORECV: refused), and a capability to
// attach to the next call or send.
const rWords = table<i64>(MAX_PROCS * MSG_WORDS);
const rCap = table<i32>(MAX_PROCS);
const xSlot = table<i32>(MAX_PROCS);
let callCount: u64 = 0;
let sendCount: u64 = 0;

/** A fresh instance starts with no attachment, no reply and no armed receive slot. */
export function ipcResetProcess(pid: i32): void {
  dropAttachments(pid);
  armRecv(pid, RECV_NONE);
  memory.fill(changetype<usize>(rWords) + (<usize>(pid * MSG_WORDS) << 3), 0, MSG_WORDS << 3); // the last reply's words
}

/** A call or send that failed takes nothing with it: the next one starts clean. */
function dropAttachments(pid: i32): void {
  unchecked(xSlot[pid] = -1);
  unchecked(rCap[pid] = -1);
  dropLeases(pid);
}

/** dropAttachments for a process that has described no lease (lCount 0: setLease/attachLeases keep every lease slot clear then). */
@inline function dropCapAttachment(pid: i32): void {
  unchecked(xSlot[pid] = -1);
  unchecked(rCap[pid] = -1);
}

export function ipcInit(): void { for (let p = 0; p < MAX_PROCS; p++) ipcResetProcess(p); }
export function calls(): u64 { return callCount; }
export function sends(): u64 { return sendCount; }

/** Run an entry of `pid` as the current process. */
export function enter(pid: i32, entry: i32, a0: i32, a1: i32): i32 {
  const r = invokeAs(pid, entry, a0, a1);
  if (r != INVOKE_TRAPPED && r != INVOKE_TOO_DEEP) { memoryHandled(pid); finishExit(pid); }
  return r;
}

/** Why `server` cannot take a message now, or OK. */
@inline function unavailable(server: i32): i32 {
  const st = unchecked(pState[server]);
  if (st != PS_RUNNING) return st == PS_PAUSED ? E_BUSY : E_DEAD;
  if (unchecked(pActive[server]) != 0) return E_BUSY;
  return OK;
}

// transferCap's result when nothing was attached (distinct from every error code).
const NO_CAP: i32 = -0x10000;

/** Fill frame `d`'s header: who calls (-1: the kernel delivering a queued message), whom, how, with what capability. */
@inline function openFrame(d: i32, caller: i32, server: i32, flags: i32, cap: i32): void {
  unchecked(fCaller[d] = caller);
  unchecked(fServer[d] = server);
  unchecked(fFlags[d] = flags);
  unchecked(fCap[d] = cap);
  unchecked(fReplyCap[d] = -1);
}

/**
 * Copy the capability `from` attached (if any) into the slot `to` armed with
 * cap_recv: that slot, NO_CAP, or an error (E_NORECV: `to` asked for none).
 * Only into an armed slot, so a receiver holds only what it asked for.
 */
function transferCap(from: i32, to: i32, epGlobal: i32): i32 {
  const s = unchecked(xSlot[from]);
  if (s < 0) return NO_CAP;
  unchecked(xSlot[from] = -1);
  if ((capRights(epGlobal) & R_GRANT) == 0) return E_RIGHTS;
  const g = lookupAny(from, s);
  if (g < 0) return g;
  return receive(g, to);
}

/** A message that never reached the handler gives its capability back: the slot is empty and armed again. */
function untransfer(to: i32, slot: i32): void {
  const g = lookupAny(to, slot);
  if (g >= 0) remove(g);
  armRecv(to, slot);
}

export function call(slot: i32, tag: i32, w0: i64, w1: i64, w2: i64, w3: i64, w4: i64, w5: i64): i32 {
  const caller = current();
  const g = lookupInline(caller, slot, K_ENDPOINT, R_CALL);
  if (g < 0) { dropAttachments(caller); return g; }
  const server = capTarget(g);
  let err = unavailable(server);
  const d = getDepth();
  if (err == OK && d == MAX_CALL_DEPTH) err = E_DEPTH;
  if (err != OK) { dropAttachments(caller); return err; }
  unchecked(rCap[caller] = -1); // until this call's reply brings one
  let flags = MSG_CALL;
  let cap = transferCap(caller, server, g);
  if (cap == NO_CAP) cap = -1;
  else if (cap < 0) { dropAttachments(caller); return cap; }
  else flags |= MSG_CAP;
  flags |= attachLeases(caller, d) << MSG_LEASE_SHIFT;
  openFrame(d, caller, server, flags, cap);
  const w = d * MSG_WORDS;
  setWords(w, w0, w1, w2, w3, w4, w5);
  setReply(w, 0, 0, 0, 0, 0, 0);
  setDepth(d + 1);
  const r = enter(server, ENTRY_HANDLE, capBadge(g), tag);
  setDepth(d);
  callCount++;
  if (r == INVOKE_TRAPPED) { fault(server, FAULT_TRAP); return E_CRASHED; }
  if (r == INVOKE_NOENTRY || r == INVOKE_TOO_DEEP) {
    if (cap >= 0) untransfer(server, cap);
    return r == INVOKE_NOENTRY ? E_NOENTRY : E_DEPTH;
  }
  unchecked(pCalls[server] = unchecked(pCalls[server]) + 1);
  if (r < 0) unchecked(pErrors[server] = unchecked(pErrors[server]) + 1);
  const rw = caller * MSG_WORDS;
  copyReply(w, changetype<usize>(rWords) + (<usize>rw << 3));
  // The server may have deleted the capability after naming it for the reply;
  // the caller's armed slot may have been filled meanwhile (E_NORECV then).
  const rc = unchecked(fReplyCap[d]);
  if (rc == E_NORECV) unchecked(rCap[caller] = E_NORECV);
  else if (rc >= 0 && capKind(rc) != K_NONE) unchecked(rCap[caller] = receive(rc, caller));
  return r;
}

export function send(slot: i32, tag: i32, w0: i64, w1: i64, w2: i64, w3: i64, w4: i64, w5: i64): i32 {
  const caller = current();
  const g = lookupInline(caller, slot, K_ENDPOINT, R_SEND);
  if (g < 0) { dropAttachments(caller); return g; }
  if (unchecked(lCount[caller]) != 0) { dropAttachments(caller); return E_ARG; } // leases need a call
  const server = capTarget(g);
  const st = unchecked(pState[server]);
  // No leases past here, so a refusal drops only the capability attachment (dropLeases would find nothing to clear).
  if (st != PS_RUNNING && st != PS_CREATED && st != PS_STARTING && st != PS_PAUSED) { dropCapAttachment(caller); return E_DEAD; }
  if (unchecked(qCount[server]) >= unchecked(qLimit[server])) { dropCapAttachment(caller); return E_QFULL; }
  // The capability lands in the server's armed slot now: a queue never holds one in flight.
  let cap = transferCap(caller, server, g);
  if (cap == NO_CAP) cap = -1;
  else if (cap < 0) { dropAttachments(caller); return cap; }
  enqueue(server, capBadge(g), tag, cap, w0, w1, w2, w3, w4, w5);
  if (st == PS_RUNNING) markReady(server);
  sendCount++;
  return OK;
}

/** Deliver one queued message or the pending notification bits to `pid`. */
export function deliver(pid: i32): void {
  if (unchecked(qCount[pid]) > 0) { deliverMessage(pid); return; }
  const bits = unchecked(notePending[pid]);
  unchecked(notePending[pid] = 0);
  clearReady(pid);
  if (bits == 0) return;
  const r = enter(pid, ENTRY_NOTIFY, bits, 0);
  if (r == INVOKE_TRAPPED) fault(pid, FAULT_TRAP);
  // A process with no quark_notify cannot clean up when asked to stop: it stops at once.
  else if (r == INVOKE_NOENTRY && (bits & NOTE_STOP) != 0) { requestExit(pid, 0); finishExit(pid); }
}

function deliverMessage(pid: i32): void {
  const d = getDepth(); // 0: run() is entered from the host with an empty stack
  const e = head(pid);
  const cap = entryCap(e);
  openFrame(d, -1, pid, cap >= 0 ? MSG_CAP : 0, cap);
  for (let i = 0; i < MSG_WORDS; i++) unchecked(fWords[d * MSG_WORDS + i] = entryWord(e, i));
  const badge = entryBadge(e), tag = entryTag(e);
  dequeue(pid);
  if (unchecked(qCount[pid]) == 0 && unchecked(notePending[pid]) == 0) clearReady(pid);
  setDepth(d + 1);
  const r = enter(pid, ENTRY_HANDLE, badge, tag);
  setDepth(d);
  if (r == INVOKE_TRAPPED) { fault(pid, FAULT_TRAP); return; }
  unchecked(pCalls[pid] = unchecked(pCalls[pid]) + 1);
  if (r < 0) unchecked(pErrors[pid] = unchecked(pErrors[pid]) + 1);
}

/**
 * Enter `pid`'s quark_handle with TAG_PING as a call from the current process,
 * with at most `units` of fuel: a liveness check whose deadline is counted in
 * work, the same in every engine. Spending it all is FAULT_HUNG. A ping is
 * not a message handled: it leaves the process's counters alone.
 */
export function ping(pid: i32, units: i64): i32 {
  const err = unavailable(pid);
  if (err != OK) return err;
  const d = getDepth();
  if (d == MAX_CALL_DEPTH) return E_DEPTH;
  openFrame(d, current(), pid, MSG_CALL, -1);
  for (let i = 0; i < MSG_WORDS; i++) { unchecked(fWords[d * MSG_WORDS + i] = 0); unchecked(fReply[d * MSG_WORDS + i] = 0); }
  setDepth(d + 1);
  const budget = beginPing(pid, units);
  const r = enter(pid, ENTRY_HANDLE, 0, TAG_PING);
  setDepth(d);
  if (r == INVOKE_TRAPPED) fault(pid, FAULT_TRAP); // while it is still the pinged one: FAULT_HUNG if out of fuel
  endPing(pid, budget);
  if (r == INVOKE_TRAPPED) return E_CRASHED;
  if (r == INVOKE_TOO_DEEP) return E_DEPTH;
  return r == INVOKE_NOENTRY ? OK : r;
}

export function reply(w0: i64, w1: i64, w2: i64, w3: i64, w4: i64, w5: i64): i32 {
  const d = ownCallFrame();
  if (d < 0) return E_NOTCALL;
  const w = d * MSG_WORDS;
  unchecked(fReply[w] = w0); unchecked(fReply[w + 1] = w1); unchecked(fReply[w + 2] = w2);
  unchecked(fReply[w + 3] = w3); unchecked(fReply[w + 4] = w4); unchecked(fReply[w + 5] = w5);
  return OK;
}

export function msgWord(i: i32): i64 {
  const d = ownFrame();
  if (d < 0 || <u32>i >= <u32>MSG_WORDS) return 0;
  return unchecked(fWords[d * MSG_WORDS + i]);
}

export function replyWord(i: i32): i64 {
  if (<u32>i >= <u32>MSG_WORDS) return 0;
  return unchecked(rWords[current() * MSG_WORDS + i]);
}

export function msgInfo(): i32 {
  const d = ownFrame();
  return d < 0 ? E_NOTCALL : unchecked(fFlags[d]);
}

export function msgCap(): i32 {
  const d = ownFrame();
  return d < 0 ? E_NOTCALL : unchecked(fCap[d]);
}

export function xfer(slot: i32): i32 {
  const pid = current();
  if (slot < 0) { unchecked(xSlot[pid] = -1); return OK; }
  const g = lookupAny(pid, slot);
  if (g < 0) return g;
  unchecked(xSlot[pid] = slot);
  return OK;
}

/**
 * Attach capability `slot` to the reply of the call being handled (negative:
 * none). E_NORECV when the caller armed no empty slot for it: the server
 * learns now, while it can still clean up; the reply carries none and the
 * caller's recv_cap() is E_NORECV.
 */
export function replyCap(slot: i32): i32 {
  const d = ownCallFrame();
  if (d < 0) return E_NOTCALL;
  if (slot < 0) { unchecked(fReplyCap[d] = -1); return OK; }
  const g = lookupAny(current(), slot);
  if (g < 0) return g;
  // Remembered as refused, so the caller's recv_cap() says so too.
  if (recvSlot(unchecked(fCaller[d])) < 0) { unchecked(fReplyCap[d] = E_NORECV); return E_NORECV; }
  unchecked(fReplyCap[d] = g);
  return OK;
}

/** What the last call's reply brought: the slot it landed in, -1 (none), or E_NORECV (refused: no armed slot). */
export function recvCap(): i32 { return unchecked(rCap[current()]); }

/** Arm one empty slot for the next capability transferred to the caller (see cspace.ts: armRecv). */
export function capRecv(slot: i32): i32 { return armRecv(current(), slot); }

/** After a (re)start, a process may hold queued messages: make it runnable. */
export function wake(pid: i32): void {
  if (unchecked(qCount[pid]) > 0 || unchecked(notePending[pid]) != 0) markReady(pid);
}
