// The scheduler's clients, known by the badge init minted for them (their
// pid). What the manifest says of a client comes from init, the one place no
// service can change: its qubits quota (TAG_INIT_STATUS's sixth word), its
// name (TAG_INIT_NAME) and whether its grant to the scheduler carries the
// admin right (TAG_INIT_CAPS), read once at its first call. Each client
// keeps the endpoint it gave for TAG_QS_DONE and the reason of its last
// refused call.
import {
  sys, capByName, OK, E_NOSPACE, LEASE_WRITE, TAG_INIT_STATUS, TAG_INIT_NAME, serviceIndexOf, grantRights, QS_CLIENTS, QS_ADMIN_RIGHT, QS_WHY_NONE,
} from "../lib";

/** The endpoint a client gave is labelled PEER_LABEL + its row, so a restarted scheduler finds and drops them. */
export const PEER_LABEL = 0x51535000; // "QSP"

export class Client {
  pid: i32 = 0;
  index: i32 = -1; // its service index at init (-1: unknown)
  quota: i32 = 0;
  admin: bool = false;
  granted: bool = false; // the manifest grants it the scheduler
  name: string = "?";
  ep: i32 = -1; // TAG_QS_DONE goes here
  why: i32 = QS_WHY_NONE; // its last refused call
  whyText: string = "";
  allocs: i32 = 0; // allocations held
  held: i32 = 0; // qubits in them
  unfinished: i32 = 0; // jobs queued or running
  since: i64 = 0; // when it first called (ns): an end of its service after this is its own
}

export const clients = new StaticArray<Client | null>(QS_CLIENTS);
/** client() returned null because init could not answer (rather than a full table). */
export let busy = false;
let selfIndex = -2; // the scheduler's own index at init (-2: not looked up yet)

/** The row of `pid`, or -1. */
export function rowOf(pid: i32): i32 {
  for (let r = 0; r < QS_CLIENTS; r++) { const c = unchecked(clients[r]); if (c != null && c.pid == pid) return r; }
  return -1;
}

export function find(pid: i32): Client | null {
  const r = rowOf(pid);
  return r < 0 ? null : unchecked(clients[r]);
}

/** The client `pid`, made at its first call; null when QS_CLIENTS are known already (E_NOSPACE). */
export function client(pid: i32): Client | null {
  busy = false;
  const c = find(pid);
  if (c != null) return c;
  for (let r = 0; r < QS_CLIENTS; r++) {
    if (unchecked(clients[r]) != null) continue;
    const n = new Client();
    n.pid = pid;
    n.since = sys.time();
    // init cannot answer while it is starting a service (the caller, at its start): E_BUSY, try again.
    if (!learn(n)) { busy = true; return null; }
    unchecked(clients[r] = n);
    return n;
  }
  return null;
}

export const FULL = E_NOSPACE;


const nameBuf = new StaticArray<u8>(64);

/** Quota, name and admin right from init's records (false: init cannot answer now). Without "init:call" a client has no quota. */
function learn(c: Client): bool {
  const init = capByName("init");
  if (init < 0) return true;
  c.index = serviceIndexOf(init, c.pid);
  if (c.index == -2) return false;
  if (c.index < 0) return true;
  if (sys.call(init, TAG_INIT_STATUS, c.index, 0, 0, 0, 0, 0) == OK) c.quota = <i32>sys.reply_word(5);
  sys.lease(0, changetype<usize>(nameBuf), nameBuf.length, LEASE_WRITE);
  if (sys.call(init, TAG_INIT_NAME, c.index, 0, 0, 0, 0, 0) == OK) {
    c.name = String.UTF8.decodeUnsafe(changetype<usize>(nameBuf), min(<i32>sys.reply_word(0), nameBuf.length));
  }
  if (selfIndex < 0) selfIndex = serviceIndexOf(init, sys.self());
  const rights = grantRights(init, c.index, selfIndex);
  if (rights >= 0) { c.granted = true; c.admin = (rights & QS_ADMIN_RIGHT) != 0; }
  return true;
}

/** Forget row r: its endpoint is deleted. */
export function drop(r: i32): void {
  const c = unchecked(clients[r]);
  if (c == null) return;
  if (c.ep >= 0 && sys.cap_find(PEER_LABEL + r) == c.ep) sys.cap_delete(c.ep);
  unchecked(clients[r] = null);
}

/** Keep `cap` as row r's endpoint (the previous one deleted). */
export function keepEndpoint(r: i32, cap: i32): void {
  const c = unchecked(clients[r])!;
  if (c.ep >= 0 && c.ep != cap && sys.cap_find(PEER_LABEL + r) == c.ep) sys.cap_delete(c.ep);
  sys.cap_label(cap, PEER_LABEL + r);
  c.ep = cap;
}

/** The caller's last refusal. */
export function refuse(c: Client, why: i32, text: string, code: i32): i32 {
  c.why = why;
  c.whyText = text;
  return code;
}

/** Describe a client for the log: "pid 7 (shell)". */
export function who(c: Client): string { return "pid " + c.pid.toString() + " (" + c.name + ")"; }
