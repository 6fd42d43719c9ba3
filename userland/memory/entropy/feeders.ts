// Who may feed the pool: a service whose manifest grant of this service
// carries MEM_FEED_RIGHT (`memory:call+control`). The kernel leaves the right
// out of the endpoint, so the manager asks init, the one place no service can
// change (TAG_INIT_CAPS), once per caller; init minted each caller's badge
// with its pid, and a restarted service keeps its pid and its grants.
import {
  sys, capByName, OK, E_PERM, E_BUSY, MAX_PROCS, MEM_FEED_RIGHT, serviceIndexOf, grantRights,
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
  if (selfIndex < 0) selfIndex = serviceIndexOf(init, sys.self());
  const index = serviceIndexOf(init, pid);
  if (index == -2 || selfIndex == -2) { selfIndex = -1; return E_BUSY; }
  if (index < 0 || selfIndex < 0) return E_PERM;
  const rights = grantRights(init, index, selfIndex);
  return rights >= 0 && (rights & MEM_FEED_RIGHT) != 0 ? OK : E_PERM;
}
