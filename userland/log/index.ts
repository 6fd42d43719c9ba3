// log: the console service. Every service logs through it; each line is
// stamped with the time and the name of the service that sent it (the badge
// on its log capability is its pid; init tells us the names), kept in its
// history, and written to the console through the console driver. A line
// the driver could not take (it was restarting: E_DEAD, E_CRASHED) stays in
// the history as not yet shown, and goes out before the next line once the
// driver takes lines again (replay.ts).
import {
  sys, arg, conCap, writeStamp, writeU64, OK, E_ARG, E_RIGHTS, PID_INIT, MAX_PROCS,
  TAG_LOG_WRITE, TAG_LOG_NAME, TAG_LOG_TAIL, E_BADSLOT, reply,
} from "../lib";
import { remember, recall } from "./history";
import { show } from "./replay";

const NAME_MAX = 32;
const TEXT_MAX = 1024;
const names = new StaticArray<u8>(MAX_PROCS * NAME_MAX);
const nameLen = new StaticArray<i32>(MAX_PROCS);
const line = new StaticArray<u8>(TEXT_MAX + 128);
export function quark_start(pid: i32, restarts: i32): i32 {
  const c = conCap();
  return c < 0 ? c : OK;
}

export function quark_handle(badge: i32, tag: i32): i32 {
  if (tag == TAG_LOG_WRITE) return write(badge);
  if (tag == TAG_LOG_NAME) return setName(badge, <i32>arg(0));
  if (tag == TAG_LOG_TAIL) return tail(<i32>arg(0));
  return E_ARG;
}

function setName(from: i32, who: i32): i32 {
  if (from != PID_INIT) return E_RIGHTS;
  if (<u32>who >= <u32>MAX_PROCS) return E_ARG;
  const n = sys.lease_read(0, 0, changetype<usize>(names) + <usize>(who * NAME_MAX), min(NAME_MAX, sys.lease_len(0)));
  if (n < 0) return n;
  unchecked(nameLen[who] = n);
  return OK;
}

function write(badge: i32): i32 {
  const base = changetype<usize>(line);
  let p = writeStamp(base, sys.time());
  p = writeName(p, badge);
  store<u8>(p++, 58); store<u8>(p++, 32); // ": "
  const want = sys.lease_len(0);
  if (want < 0) return want;
  let n = sys.lease_read(0, 0, p, min(want, TEXT_MAX));
  if (n < 0) return n;
  while (n > 0 && load<u8>(p + <usize>n - 1) == 10) n--;
  p += <usize>n;
  store<u8>(p++, 10);
  remember(base, <i32>(p - base) - 1);
  show(base, <i32>(p - base)); // kept either way: the caller's line is logged
  return OK;
}

/** Read a line back: the k-th newest, into the caller's lease. */
function tail(k: i32): i32 {
  const at = recall(k);
  if (at < 0) return E_BADSLOT;
  const n = <i32>(at & 0xffffffff);
  const w = sys.lease_write(0, 0, <usize>(at >>> 32), min(n, sys.lease_len(0)));
  if (w < 0) return w;
  reply(n);
  return OK;
}

function writeName(p: usize, badge: i32): usize {
  if (<u32>badge < <u32>MAX_PROCS && unchecked(nameLen[badge]) > 0) {
    const n = unchecked(nameLen[badge]);
    memory.copy(p, changetype<usize>(names) + <usize>(badge * NAME_MAX), n);
    return p + <usize>n;
  }
  store<u8>(p++, 112); store<u8>(p++, 105); store<u8>(p++, 100); store<u8>(p++, 32);
  return writeU64(p, <u64><u32>badge);
}
