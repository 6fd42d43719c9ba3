// The registry: services publish themselves under a name, a version, an
// interface hash and tags; clients look them up by name, tag or glob and get
// an endpoint capability in the reply, badged with their own pid. That and
// the manifest's grants are the only ways to reach a service: no capability
// is ever guessed. Lookups return Healthy entries unless asked otherwise.
// Subscribers hear every state change of the services they match as queued
// TAG_REG_EVENT messages.
//
// Names belong to their owners (names.ts says whose a name or tag is), and
// each process may add at most its manifest's `registrations` entries. The
// table is sized so that every process's manifest entry and whole quota fit
// at once: a service can exhaust only its own quota, never the registry.
import {
  sys, arg, reply, OK, E_ARG, E_BADSLOT, E_NOSPACE, E_PERM, E_RIGHTS, E_STATE, R_CALL, R_SEND, REG_ENTRIES, REG_NAME_MAX,
  TAG_REG_REGISTER, TAG_REG_UNREGISTER, TAG_REG_LOOKUP, TAG_REG_INFO, TAG_REG_HEARTBEAT, TAG_REG_READY, TAG_REG_SUBSCRIBE,
  TAG_REG_UNSUBSCRIBE, TAG_REG_EVENT, TAG_REG_HEALTH, TAG_REG_COUNT, TAG_REG_LOAD, TAG_REG_LAST, PI_QUEUED, PI_CALLS,
  LOOKUP_NAME, LOOKUP_TAG, LOOKUP_PATTERN,
  LOOKUP_ANY_HEALTH, HEALTH_HEALTHY, EV_REGISTERED, EV_UNREGISTERED,
} from "../lib";
import { errorName } from "../lib/names";
import { services, byPid } from "./service";
import { heartbeat, readiness, healthReply } from "./health";
import { say } from "./say";
import { rulesInit, baseName, sameService, nameRefusal, tagRefusal } from "./names";

// Sized by registryInit from the boot table (at most REG_ENTRIES).
let size = 0;
let eOwner = new StaticArray<i32>(0); // service index, -1: free
let eVersion = new StaticArray<u32>(0);
let eIface = new StaticArray<i64>(0);
let eName = new Array<string>(0);
let eTags = new Array<string[]>(0);
let eStatic = new StaticArray<bool>(0); // from the manifest: kept while the service is down
let added = new StaticArray<i32>(0); // per service: entries it registered itself (its quota's use)
const text = new StaticArray<u8>(REG_NAME_MAX);

let subscriptions = new Map<i32, string>(); // subscriber's service index -> pattern
let missed = new Map<i32, i64>(); // subscriber -> events lost to its full queue since the last it got

/**
 * Every service is registered under its name, version, interface hash and tags
 * from the manifest; the table has room besides for every service's quota.
 */
export function registryInit(): void {
  size = tableSize();
  eOwner = new StaticArray<i32>(size);
  eVersion = new StaticArray<u32>(size);
  eIface = new StaticArray<i64>(size);
  eName = new Array<string>(size);
  eTags = new Array<string[]>(size);
  eStatic = new StaticArray<bool>(size);
  added = new StaticArray<i32>(services.length);
  rulesInit();
  for (let i = 0; i < size; i++) { unchecked(eOwner[i] = -1); eName[i] = ""; eTags[i] = []; }
  for (let i = 0; i < services.length && i < size; i++) {
    const s = services[i];
    unchecked(eOwner[i] = i);
    unchecked(eVersion[i] = s.spec.version);
    unchecked(eIface[i] = <i64><u32>s.spec.iface);
    unchecked(eStatic[i] = true);
    eName[i] = baseName(s.spec.name);
    eTags[i] = s.spec.tags.split(" ").filter((w: string) => w.length > 0);
  }
}

/**
 * One manifest entry per process and its whole quota: then no service can
 * take another's room. The build checks the sum fits REG_ENTRIES; a table
 * made by hand that does not is cut there (quotas are then first come).
 */
function tableSize(): i32 {
  let n: i64 = 0;
  for (let i = 0; i < services.length; i++) n += 1 + <i64>services[i].spec.registrations;
  return <i32>min(n, <i64>REG_ENTRIES);
}

export function isRegistryTag(tag: i32): bool { return tag >= TAG_REG_REGISTER && tag <= TAG_REG_LAST; }

/** A registry request from the service with pid `pid`. */
export function registry(pid: i32, tag: i32): i32 {
  switch (tag) {
    case TAG_REG_LOOKUP: return lookup(pid);
    case TAG_REG_INFO: return info(<i32>arg(0));
    case TAG_REG_HEALTH: return arg(0) < 0 || arg(0) >= services.length ? E_BADSLOT : healthReply(services[<i32>arg(0)]);
    case TAG_REG_COUNT: reply(size); return OK;
    case TAG_REG_LOAD: return load(arg(0));
  }
  // Only what follows needs the caller's service: a lookup does not search for it.
  const me = byPid(pid);
  if (me < 0) return E_RIGHTS; // the rest act on the caller's own entries: services only
  switch (tag) {
    case TAG_REG_HEARTBEAT: return heartbeat(me, <i32>arg(0));
    case TAG_REG_READY: return readiness(me, arg(0) != 0);
  }
  // Changes to the registry are service operations: the audit trail has them.
  let r: i32 = E_ARG, what = "";
  switch (tag) {
    case TAG_REG_REGISTER: r = register(me); what = "register " + (lastText.length > 0 ? lastText : "(unreadable)"); break;
    case TAG_REG_UNREGISTER: r = unregister(me, arg(0)); what = "unregister entry " + arg(0).toString(); break;
    case TAG_REG_SUBSCRIBE: r = subscribe(me); what = "subscribe " + lastText; break;
    case TAG_REG_UNSUBSCRIBE: subscriptions.delete(me); r = OK; what = "unsubscribe"; break;
    default: return E_ARG;
  }
  say("audit: pid " + pid.toString() + " (" + services[me].spec.name + "), through its registry capability: " + what + ": " +
    (r >= 0 ? "ok" : errorName(r) + (why.length > 0 ? " (" + why + ")" : "")));
  return r;
}

let why = ""; // why the last registration was refused, for the audit line

let lastText = "";

/** Lease 0 as text, at most REG_NAME_MAX bytes; null if there is none. */
function leaseText(): string | null {
  lastText = "";
  const n = sys.lease_read(0, 0, changetype<usize>(text), min(REG_NAME_MAX, sys.lease_len(0)));
  if (n < 0) return null;
  lastText = String.UTF8.decodeUnsafe(changetype<usize>(text), n);
  return lastText;
}

function validName(name: string): bool {
  if (name.length == 0 || name.length > 64) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    // a-z 0-9 - . _ / and # (an instance's name: "web#2")
    const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c == 0x2d || c == 0x2e || c == 0x5f || c == 0x2f || c == 0x23;
    if (!ok) return false;
  }
  return true;
}

function register(me: i32): i32 {
  why = "";
  const t = leaseText();
  if (t == null) return E_ARG;
  const words = t.split(" ").filter((w: string) => w.length > 0);
  if (words.length == 0) return E_ARG;
  for (let k = 0; k < words.length; k++) if (!validName(words[k])) return E_ARG;
  const name = words[0];
  why = refusal(me, words);
  if (why.length > 0) return E_PERM;
  let id = find(me, name);
  if (id < 0) {
    if (unchecked(added[me]) >= services[me].spec.registrations) {
      why = "its quota of " + services[me].spec.registrations.toString() + " registrations is used";
      return E_NOSPACE;
    }
    id = free();
    if (id < 0) { why = "the registry is full"; return E_NOSPACE; } // only a hand-made boot table gets here
    unchecked(eStatic[id] = false); // a manifest entry updated at run time stays the manifest's
    unchecked(added[me] = unchecked(added[me]) + 1);
  }
  unchecked(eOwner[id] = me);
  unchecked(eVersion[id] = <u32>arg(0));
  unchecked(eIface[id] = arg(1));
  eName[id] = name;
  eTags[id] = words.slice(1);
  services[me].events.add(EV_REGISTERED, id);
  reply(id);
  return OK;
}

/** "" if `me` may register words[0] with the tags words[1..]; else why not. */
function refusal(me: i32, words: string[]): string {
  let r = nameRefusal(me, words[0]);
  for (let k = 1; k < words.length && r.length == 0; k++) r = tagRefusal(me, words[k]);
  if (r.length > 0) return r;
  // A free name is its first registrant's until its last entry under it goes.
  for (let id = 0; id < size; id++) {
    const owner = unchecked(eOwner[id]);
    if (owner >= 0 && !sameService(owner, me) && eName[id] == words[0]) return "the name " + words[0] + " is registered by " + services[owner].spec.name;
  }
  return "";
}

function unregister(me: i32, id: i64): i32 {
  if (id < 0 || id >= size || unchecked(eOwner[<i32>id]) != me) return E_BADSLOT;
  if (unchecked(eStatic[<i32>id])) return E_STATE; // the manifest's entry lasts as long as the service
  drop(<i32>id);
  return OK;
}

function drop(id: i32): void {
  const owner = unchecked(eOwner[id]);
  unchecked(eOwner[id] = -1);
  if (!unchecked(eStatic[id])) unchecked(added[owner] = unchecked(added[owner]) - 1);
  services[owner].events.add(EV_UNREGISTERED, id);
}

/** The service stopped for good (stopped, disabled, failed): the entries it made go, and its subscription. */
export function unregisterAll(owner: i32): void {
  for (let id = 0; id < size; id++) if (unchecked(eOwner[id]) == owner && !unchecked(eStatic[id])) drop(id);
  subscriptions.delete(owner);
  missed.delete(owner);
}

/** How loaded service i is: messages waiting for it, messages it has handled. */
function load(i: i64): i32 {
  if (i < 0 || i >= services.length) return E_BADSLOT;
  const s = services[<i32>i];
  if (s.proc < 0) return E_STATE;
  reply(sys.proc_info(s.proc, PI_QUEUED), sys.proc_info(s.proc, PI_CALLS));
  return OK;
}

/** The version `owner` registered under its own name, or its declared version. */
export function registeredVersion(owner: i32): u32 {
  const id = find(owner, baseName(services[owner].spec.name));
  return id >= 0 ? unchecked(eVersion[id]) : services[owner].spec.version;
}

function find(owner: i32, name: string): i32 {
  for (let id = 0; id < size; id++) if (unchecked(eOwner[id]) == owner && eName[id] == name) return id;
  return -1;
}

function free(): i32 {
  for (let id = 0; id < size; id++) if (unchecked(eOwner[id]) < 0) return id;
  return -1;
}

function matches(id: i32, mode: i32, q: string): bool {
  if (mode == LOOKUP_NAME) return eName[id] == q;
  if (mode == LOOKUP_TAG) return eTags[id].includes(q);
  if (mode == LOOKUP_PATTERN) return glob(q, eName[id]);
  return false;
}

/**
 * `*` matches any run of characters, `?` any one. Iterative, going back only
 * to the last `*`: at most pattern × name steps, whatever a client sends
 * (a recursive match is exponential in the stars, and init must not be made
 * to spend its budget on anyone's pattern).
 */
export function glob(p: string, s: string): bool {
  let i = 0, j = 0, star = -1, mark = 0;
  while (j < s.length) {
    const c = i < p.length ? p.charCodeAt(i) : -1;
    if (c == 0x2a) { star = i++; mark = j; continue; }
    if (c >= 0 && (c == 0x3f || c == s.charCodeAt(j))) { i++; j++; continue; }
    if (star < 0) return false;
    i = star + 1;
    j = ++mark;
  }
  while (i < p.length && p.charCodeAt(i) == 0x2a) i++;
  return i == p.length;
}

// Minted for the last lookup's reply; the kernel copies it to the client when
// the call returns, so it is deleted at the next lookup, not before.
let minted = -1;

/**
 * Whether entry `id` matches the query's `n` bytes in `text`, an ASCII query
 * compared as it lies there: a lookup makes no string. Names and tags are
 * ASCII (manifest and validName), and an entry's character outside ASCII
 * equals no byte of an ASCII query, so this answers as `matches` would.
 */
function matchesText(id: i32, mode: i32, n: i32): bool {
  if (mode == LOOKUP_NAME) return sameText(unchecked(eName[id]), n);
  if (mode == LOOKUP_PATTERN) return globText(n, unchecked(eName[id]));
  const tags = unchecked(eTags[id]);
  for (let k = 0; k < tags.length; k++) if (sameText(unchecked(tags[k]), n)) return true;
  return false;
}

/** Whether the `n` bytes of `text` are all ASCII. */
function asciiText(n: i32): bool {
  for (let i = 0; i < n; i++) if (unchecked(text[i]) >= 0x80) return false;
  return true;
}

/** Whether `s` is the `n` bytes of `text`, character for byte. */
function sameText(s: string, n: i32): bool {
  if (s.length != n) return false;
  for (let i = 0; i < n; i++) if (<u32>s.charCodeAt(i) != <u32>unchecked(text[i])) return false;
  return true;
}

/** glob with the pattern as the `n` bytes of `text`: the same steps, the same answer. */
function globText(n: i32, s: string): bool {
  let i = 0, j = 0, star = -1, mark = 0;
  while (j < s.length) {
    const c: i32 = i < n ? <i32>unchecked(text[i]) : -1;
    if (c == 0x2a) { star = i++; mark = j; continue; }
    if (c >= 0 && (c == 0x3f || c == s.charCodeAt(j))) { i++; j++; continue; }
    if (star < 0) return false;
    i = star + 1;
    j = ++mark;
  }
  while (i < n && unchecked(text[i]) == 0x2a) i++;
  return i == n;
}

/** The k-th entry matching the query; its endpoint comes with the reply. */
function lookup(pid: i32): i32 {
  const n = sys.lease_read(0, 0, changetype<usize>(text), min(REG_NAME_MAX, sys.lease_len(0)));
  if (n < 0) return E_ARG;
  // Only a query outside ASCII, which no valid name is, is decoded to a string.
  const ascii = asciiText(n);
  const q = ascii ? "" : String.UTF8.decodeUnsafe(changetype<usize>(text), n);
  const mode = <i32>(arg(0) & 0xff);
  const anyHealth = (arg(0) & LOOKUP_ANY_HEALTH) != 0;
  if (mode > LOOKUP_PATTERN) return E_ARG;
  let k = arg(1);
  if (minted >= 0) { sys.cap_delete(minted); minted = -1; }
  for (let id = 0; id < size; id++) {
    const owner = unchecked(eOwner[id]);
    if (owner < 0 || !(ascii ? matchesText(id, mode, n) : matches(id, mode, q))) continue;
    const s = services[owner];
    if (!anyHealth && s.health != HEALTH_HEALTHY) continue;
    if (k-- > 0) continue;
    if (s.ep >= 0) {
      minted = sys.cap_derive(s.ep, R_CALL | R_SEND, pid);
      // A client that armed no slot (cap_recv) is refused it: drop it now.
      if (minted >= 0 && sys.reply_cap(minted) < 0) { sys.cap_delete(minted); minted = -1; }
    }
    describe(id);
    return OK;
  }
  return E_BADSLOT;
}

function describe(id: i32): void {
  const s = services[unchecked(eOwner[id])];
  reply(id, unchecked(eOwner[id]), unchecked(eVersion[id]), unchecked(eIface[id]), s.health, s.pid);
}

function info(id: i32): i32 {
  if (id < 0 || id >= size || unchecked(eOwner[id]) < 0) return E_BADSLOT;
  const t = eTags[id].length > 0 ? eName[id] + " " + eTags[id].join(" ") : eName[id];
  const bytes = String.UTF8.encode(t);
  if (sys.lease_len(0) > 0) sys.lease_write(0, 0, changetype<usize>(bytes), min(bytes.byteLength, sys.lease_len(0)));
  describe(id);
  return OK;
}

function subscribe(me: i32): i32 {
  const p = leaseText();
  if (p == null) return E_ARG;
  if (services[me].ep < 0) return E_STATE;
  subscriptions.set(me, p.length == 0 ? "*" : p);
  return OK;
}

/** Tell every subscriber whose pattern matches service `owner` what happened to it. */
export function publish(owner: i32, kind: i32, time: i64, detail: i64): void {
  if (owner < 0 || owner >= services.length || subscriptions.size == 0) return;
  const s = services[owner];
  // By service index rather than subscriptions.keys(): no array is made for every event.
  for (let sub = 0; sub < services.length; sub++) {
    if (sub == owner || !subscriptions.has(sub) || !glob(subscriptions.get(sub), s.spec.name)) continue;
    // A full queue loses the event; the next one delivered says how many were lost (the event log keeps them all).
    const lost = missed.has(sub) ? missed.get(sub) : 0;
    if (sys.send(services[sub].ep, TAG_REG_EVENT, owner, kind, time, detail, s.health, lost) == OK) missed.delete(sub);
    else missed.set(sub, lost + 1);
  }
}
