// Messages: call a capability and read the reply; read the message being
// handled and set its reply; lend memory for a call.
import * as sys from "./sys";
import { LEASE_READ, LEASE_WRITE, MSG_CALL, MSG_LEASE_SHIFT, RECV_ANY, RECV_NONE } from "../../kernel/abi";

/** Call the endpoint in `slot`; the status is the server's return value or an error (< 0). */
@inline export function call(slot: i32, tag: i32, w0: i64 = 0, w1: i64 = 0, w2: i64 = 0, w3: i64 = 0, w4: i64 = 0, w5: i64 = 0): i32 {
  return sys.call(slot, tag, w0, w1, w2, w3, w4, w5);
}

/** Queue a message for the endpoint in `slot`; E_QFULL when its queue is full. */
@inline export function send(slot: i32, tag: i32, w0: i64 = 0, w1: i64 = 0, w2: i64 = 0, w3: i64 = 0, w4: i64 = 0, w5: i64 = 0): i32 {
  return sys.send(slot, tag, w0, w1, w2, w3, w4, w5);
}

/** Word `i` of the last call's reply. */
@inline export function result(i: i32): i64 { return sys.reply_word(i); }

/** Word `i` of the message being handled. */
@inline export function arg(i: i32): i64 { return sys.msg_word(i); }

/** Set the reply words of the call being handled (the status is the handler's return value). */
@inline export function reply(w0: i64 = 0, w1: i64 = 0, w2: i64 = 0, w3: i64 = 0, w4: i64 = 0, w5: i64 = 0): void {
  sys.reply(w0, w1, w2, w3, w4, w5);
}

/** Is the message being handled a synchronous call (rather than a queued send)? */
export function isCall(): bool { const f = sys.msg_info(); return f > 0 && (f & MSG_CALL) != 0; }

/** Number of leases that came with the call being handled. */
export function leaseCount(): i32 { const f = sys.msg_info(); return f < 0 ? 0 : f >>> MSG_LEASE_SHIFT; }

/** Lend `len` bytes at `ptr` to the next call, read-only. */
@inline export function lendRead(i: i32, ptr: usize, len: i32): i32 { return sys.lease(i, ptr, len, LEASE_READ); }
/** Lend `len` bytes at `ptr` to the next call, writable by the server. */
@inline export function lendWrite(i: i32, ptr: usize, len: i32): i32 { return sys.lease(i, ptr, len, LEASE_WRITE); }
/** Lend `len` bytes at `ptr` to the next call, readable and writable. */
@inline export function lendReadWrite(i: i32, ptr: usize, len: i32): i32 { return sys.lease(i, ptr, len, LEASE_READ | LEASE_WRITE); }

// Capabilities are received only where asked: the kernel puts one transferred
// to this process (with a call or send it handles, or with a call's reply)
// only into the empty slot it armed with cap_recv, and refuses it (E_NORECV)
// otherwise. One slot is armed at a time and one transfer consumes it.

/**
 * Call `slot` expecting a capability with the reply: a slot is armed for it
 * just for this call. The status; recvCap() then names the slot it landed in,
 * -1 if the reply brought none, or E_NORECV. Any slot armed before is disarmed.
 */
export function callForCap(slot: i32, tag: i32, w0: i64 = 0, w1: i64 = 0, w2: i64 = 0, w3: i64 = 0, w4: i64 = 0, w5: i64 = 0): i32 {
  const armed = sys.cap_recv(RECV_ANY);
  if (armed < 0) return armed;
  const r = sys.call(slot, tag, w0, w1, w2, w3, w4, w5);
  sys.cap_recv(RECV_NONE); // a reply without one leaves the slot armed: nobody else may fill it
  return r;
}

/** The capability the last call's reply brought: its slot, -1 (none), or E_NORECV (this process armed no slot). */
@inline export function recvCap(): i32 { return sys.recv_cap(); }

let kept = -1;

/** For a server that accepts capabilities: arm a slot for the next one (at start, and through rearmCap). */
export function acceptCaps(): i32 { return sys.cap_recv(RECV_ANY); }

/** The handler keeps the capability that came with this message: its slot, or -1 (none came). */
export function keepCap(): i32 {
  const s = sys.msg_cap();
  if (s < 0) return -1;
  kept = s;
  return s;
}

/**
 * A server that accepts capabilities calls this after each message it
 * handles: a capability that came with it and was not kept is deleted, and a
 * slot is armed for the next one. So at most one unasked-for capability is
 * ever in its space, and only until its message is handled.
 */
export function rearmCap(): void {
  const s = sys.msg_cap();
  if (s < 0) return;
  if (s != kept) sys.cap_delete(s);
  kept = -1;
  sys.cap_recv(RECV_ANY);
}
