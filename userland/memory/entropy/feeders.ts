// Who may feed the pool: a service whose manifest grant of this service
// carries MEM_FEED_RIGHT (`memory:call+control`). The kernel leaves the right
// out of the endpoint, so the manager asks init, the one place no service can
// change (TAG_INIT_CAPS), once per caller; init minted each caller's badge
// with its pid, and a restarted service keeps its pid and its grants.
import {
  sys, capByName, OK, E_PERM, E_BUSY, MAX_PROCS, TAG_INIT_COUNT, TAG_INIT_STATUS, TAG_INIT_CAPS, GRANT_SERVICE,
  MEM_FEED_RIGHT,
} from "../../lib";

const UNKNOWN: u8 = 0;
const MAY: u8 = 1;
const MAY_NOT: u8 = 2;
const known = new StaticArray<u8>(MAX_PROCS);
let selfIndex = -1;

/** OK if `pid` may feed the pool; E_PERM if not; E_BUSY while init cannot answer (try again). */
export function mayFeed(pid: i32): i32 {
  if (pid <= 0 || pid >= MAX_PROCS) return E_PERM;
  let k = unchecked(known[pid]);
  if (k == UNKNOWN) {
    const r = ask(pid);
    if (r == E_BUSY) return r;
    k = r == OK ? MAY : MAY_NOT;
    unchecked(known[pid] = k);
  }
  return k == MAY ? OK : E_PERM;
}

function ask(pid: i32): i32 {
  const init = capByName("init");
  if (init < 0) return E_PERM; // without "init:call" no grant can be read: nobody may feed
  if (selfIndex < 0) selfIndex = indexOf(init, sys.self());
  const index = indexOf(init, pid);
  if (index == -2 || selfIndex == -2) { selfIndex = -1; return E_BUSY; }
  if (index < 0 || selfIndex < 0) return E_PERM;
  for (let k = 0; k < 64; k++) {
    if (sys.call(init, TAG_INIT_CAPS, index, k, 0, 0, 0, 0) != OK) break;
    if (<i32>sys.reply_word(0) != GRANT_SERVICE || <i32>sys.reply_word(1) != selfIndex) continue;
    return (<i32>sys.reply_word(2) & MEM_FEED_RIGHT) != 0 ? OK : E_PERM;
  }
  return E_PERM;
}

/** Index of the service whose pid is `pid` at init, -1 if none, -2 if init cannot answer now. */
function indexOf(init: i32, pid: i32): i32 {
  if (sys.call(init, TAG_INIT_COUNT, 0, 0, 0, 0, 0, 0) != OK) return -2;
  const n = <i32>sys.reply_word(0);
  for (let i = 0; i < n; i++) {
    if (sys.call(init, TAG_INIT_STATUS, i, 0, 0, 0, 0, 0) == OK && <i32>sys.reply_word(1) == pid) return i;
  }
  return -1;
}
