// Messages: call a capability and read the reply; read the message being
// handled and set its reply; lend memory for a call.
import * as sys from "./sys";
import { LEASE_READ, LEASE_WRITE, MSG_CALL, MSG_LEASE_SHIFT } from "../../kernel/abi";

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
