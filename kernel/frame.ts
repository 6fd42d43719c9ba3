// Call frames: the stack of messages being handled. A synchronous call pushes
// a frame, runs the server's handler on the caller's thread (a migrating
// thread, as in seL4 and Hubris) and pops it; an asynchronous delivery pushes
// one too, so a handler reads its message the same way in both cases.
// The frame on top belongs to the running process whenever it is handling a
// message: a process cannot be re-entered, so no frame of it lies deeper.
import { MAX_CALL_DEPTH, MSG_WORDS, MAX_LEASES, MSG_CALL } from "./abi";
import { current } from "./proc";
import { table } from "./table";

export const fCaller = table<i32>(MAX_CALL_DEPTH); // -1 for a queued message
export const fServer = table<i32>(MAX_CALL_DEPTH);
export const fFlags = table<i32>(MAX_CALL_DEPTH); // MSG_* | nleases << MSG_LEASE_SHIFT
export const fCap = table<i32>(MAX_CALL_DEPTH); // capability received by the server, or -1
export const fReplyCap = table<i32>(MAX_CALL_DEPTH); // server slot to send back, or -1
export const fWords = table<i64>(MAX_CALL_DEPTH * MSG_WORDS);
export const fReply = table<i64>(MAX_CALL_DEPTH * MSG_WORDS);
export const fLeasePtr = table<i32>(MAX_CALL_DEPTH * MAX_LEASES);
export const fLeaseLen = table<i32>(MAX_CALL_DEPTH * MAX_LEASES);
export const fLeaseRights = table<i32>(MAX_CALL_DEPTH * MAX_LEASES);

// A call sets its frame's message words, zeroes its reply words and copies
// them out after: six words each time, unrolled (the loops measured ~10 % of
// a call round trip under wasmtime), through one base address so that each
// is a store with an immediate offset.
if (MSG_WORDS != 6) ERROR("putWords and copyReply move exactly six words: update them with MSG_WORDS");

@inline function putWords(p: usize, w0: i64, w1: i64, w2: i64, w3: i64, w4: i64, w5: i64): void {
  store<i64>(p, w0, 0); store<i64>(p, w1, 8); store<i64>(p, w2, 16);
  store<i64>(p, w3, 24); store<i64>(p, w4, 32); store<i64>(p, w5, 40);
}

/** Set the message words at index `w` (a frame's first word) of fWords. */
@inline export function setWords(w: i32, w0: i64, w1: i64, w2: i64, w3: i64, w4: i64, w5: i64): void {
  putWords(changetype<usize>(fWords) + (<usize>w << 3), w0, w1, w2, w3, w4, w5);
}

/** Set the reply words at index `w` of fReply (a call zeroes them with it). */
@inline export function setReply(w: i32, w0: i64, w1: i64, w2: i64, w3: i64, w4: i64, w5: i64): void {
  putWords(changetype<usize>(fReply) + (<usize>w << 3), w0, w1, w2, w3, w4, w5);
}

/** Copy the reply words at index `w` of fReply to the six words at `to`. */
@inline export function copyReply(w: i32, to: usize): void {
  const p = changetype<usize>(fReply) + (<usize>w << 3);
  store<i64>(to, load<i64>(p, 0), 0); store<i64>(to, load<i64>(p, 8), 8); store<i64>(to, load<i64>(p, 16), 16);
  store<i64>(to, load<i64>(p, 24), 24); store<i64>(to, load<i64>(p, 32), 32); store<i64>(to, load<i64>(p, 40), 40);
}

let depth = 0;
@inline export function getDepth(): i32 { return depth; }
@inline export function setDepth(d: i32): void { depth = d; }

/** The running process's own frame, or -1 when it is not handling a message. */
@inline export function ownFrame(): i32 {
  const d = depth - 1;
  if (d < 0 || unchecked(fServer[d]) != current()) return -1;
  return d;
}

/** The running process's frame if it is handling a synchronous call, else -1. */
@inline export function ownCallFrame(): i32 {
  const d = ownFrame();
  if (d < 0 || (unchecked(fFlags[d]) & MSG_CALL) == 0) return -1;
  return d;
}
