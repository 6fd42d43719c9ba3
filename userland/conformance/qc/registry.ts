// registry: every service is registered from the manifest and holds a
// registry capability; a lookup brings a capability badged with the client's
// pid; entries carry version, interface hash and tags; lookups skip entries
// that are not Healthy unless asked; subscribers hear state changes; the
// registry capability allows nothing of init's control protocol. Names
// belong to their owners: another manifest service's name, instance name or
// tag is refused with E_PERM; a service registers at most its quota
// (`registrations`) of entries besides its manifest one, then E_NOSPACE.
import {
  sys, callForCap, capByName, registry, OK, E_ARG, E_BADSLOT, E_RIGHTS, E_STATE, LEASE_READ, LEASE_WRITE, LOOKUP_NAME, LOOKUP_TAG,
  LOOKUP_PATTERN, LOOKUP_ANY_HEALTH, HEALTH_HEALTHY, HEALTH_DEGRADED, TAG_REG_INFO, TAG_REG_LOOKUP, TAG_REG_REGISTER,
  TAG_REG_HEARTBEAT, TAG_REG_HEALTH, TAG_INIT_HALT, TAG_INIT_STOP, TAG_INIT_COUNT, EV_CRASHED, EV_RESTARTED, TAG_REG_LAST, TAG_REG_COUNT, E_CRASHED, E_DEAD,
  E_PERM, E_NOSPACE, DEFAULT_REGISTRATIONS,
} from "../../lib";
import { QC_ECHO, QC_BADGE, QC_TRAP } from "../common/tags";
import { test, step, phase, later, poll, waitOver, check, expect, finish, track, unsupported } from "./driver";
import { peer, awaitPeer } from "./env";

const S = "registry";
const VER = registry.version(1, 2, 3);
const IFACE = 0x51c0ffee;

let reg = -1;
let myId = -1;
let peerIndex: i64 = -1;
export const seenKinds = new Array<i32>(); // TAG_REG_EVENT kinds about qc-peer, in order
export const seenDetails = new Array<i64>();
let seenBefore = 0;

export let eventsArrived = 0; // TAG_REG_EVENTs from init, about any service
export let eventsLost: i64 = 0; // what those said was lost before them

/** A TAG_REG_EVENT from init (badge 0) about service `index`; `lost` were lost before it. */
export function onRegistryEvent(badge: i32, index: i64, kind: i64, detail: i64, lost: i64): void {
  if (badge != 0) return;
  eventsArrived++;
  eventsLost += lost;
  if (index == peerIndex) { seenKinds.push(<i32>kind); seenDetails.push(detail); }
}

export function peerServiceIndex(): i64 { return peerIndex; }
export function registryCap(): i32 { return reg; }

export function addRegistryTests(): void {
  step(S, awaitPeer);
  test(S, "every-service-is-registered-under-its-manifest-name", registeredFromManifest);
  test(S, "a-lookup-brings-a-capability-badged-with-the-clients-pid", lookupBringsCap);
  test(S, "a-lookup-of-an-unknown-name-is-e-badslot-and-brings-nothing", unknownName);
  test(S, "register-keeps-version-interface-hash-and-tags", registerKeeps);
  test(S, "lookups-work-by-name-tag-and-pattern", lookupModes);
  test(S, "registering-a-name-again-updates-its-entry", reRegister);
  test(S, "lookups-skip-entries-that-are-not-healthy-unless-asked", healthyOnly);
  test(S, "unregister-removes-only-ones-own-entries", unregisterOwn);
  test(S, "malformed-registrations-are-refused", malformed);
  test(S, "another-services-name-and-instance-names-are-refused-with-e-perm", othersNames);
  test(S, "another-services-tag-is-refused-with-e-perm", othersTags);
  test(S, "a-service-registers-its-own-name-instance-names-and-tags", ownNames);
  test(S, "registrations-stop-at-the-services-own-quota-with-e-nospace", quota);
  test(S, "the-registry-capability-allows-no-control-requests", noControl);
  test(S, "subscribers-hear-a-services-crash-and-restart", subscribers);
  test(S, "hostile-registry-requests-get-errors-and-leave-init-answering", hostile);
  step(S, awaitPeer);
}

function lookupRaw(q: string, mode: i32, k: i32): i32 {
  const b = String.UTF8.encode(q);
  sys.lease(0, changetype<usize>(b), b.byteLength, LEASE_READ);
  return callForCap(reg, TAG_REG_LOOKUP, mode, k); // a slot armed for the capability the reply brings
}

function registeredFromManifest(): bool {
  reg = capByName("registry");
  if (!check(reg >= 0, "qc holds no capability labelled registry")) return finish();
  expect("lookup of qc-peer by name", lookupRaw("qc-peer", LOOKUP_NAME, 0), OK);
  peerIndex = sys.reply_word(1);
  const cap = track(sys.recv_cap());
  check(cap >= 0, "the lookup's reply brought no capability");
  const first = sys.reply_word(5);
  expect("a second match for the name qc-peer (its second instance)", lookupRaw("qc-peer", LOOKUP_NAME, 1), OK);
  check(sys.reply_word(5) != first, "both matches name the same process");
  track(sys.recv_cap());
  expect("a third match", lookupRaw("qc-peer", LOOKUP_NAME, 2), E_BADSLOT);
  track(sys.recv_cap());
  return finish();
}

function lookupBringsCap(): bool {
  const cap = track(registry.lookup("qc-peer"));
  if (!check(cap >= 0, "registry.lookup(qc-peer) gave " + cap.toString())) return finish();
  expect("an echo through the capability found", sys.call(cap, QC_ECHO, 77, 0, 0, 0, 0, 0), OK);
  expect("the echo", sys.reply_word(0), 77);
  expect("a call through it", sys.call(cap, QC_BADGE, 0, 0, 0, 0, 0, 0), OK);
  expect("the badge qc-peer sees", sys.reply_word(0), sys.self());
  return finish();
}

function unknownName(): bool {
  expect("lookup of a name nobody registered", lookupRaw("no-such-service", LOOKUP_NAME, 0), E_BADSLOT);
  expect("the capability that came with it", sys.recv_cap(), -1);
  return finish();
}

function registerKeeps(): bool {
  myId = registry.register("qc-extra", "qc-tag-a qc-tag-b", VER, IFACE);
  if (!check(myId >= 0, "register(qc-extra) gave " + myId.toString())) return finish();
  const text = new StaticArray<u8>(64);
  sys.lease(0, changetype<usize>(text), 64, LEASE_WRITE);
  expect("info on the new entry", sys.call(reg, TAG_REG_INFO, myId, 0, 0, 0, 0, 0), OK);
  expect("its version", sys.reply_word(2), VER);
  expect("its interface hash", sys.reply_word(3), IFACE);
  expect("its pid", sys.reply_word(5), sys.self());
  check(String.UTF8.decodeUnsafe(changetype<usize>(text), 26) == "qc-extra qc-tag-a qc-tag-b", "info did not return the name and tags");
  return finish();
}

function lookupModes(): bool {
  expect("by name", lookupRaw("qc-extra", LOOKUP_NAME, 0), OK);
  expect("its entry id", sys.reply_word(0), myId);
  track(sys.recv_cap());
  expect("by tag", lookupRaw("qc-tag-b", LOOKUP_TAG, 0), OK);
  expect("its entry id", sys.reply_word(0), myId);
  track(sys.recv_cap());
  expect("by pattern", lookupRaw("qc-ex?r*", LOOKUP_PATTERN, 0), OK);
  expect("its entry id", sys.reply_word(0), myId);
  track(sys.recv_cap());
  expect("a pattern that matches nothing", lookupRaw("qc-ex?", LOOKUP_PATTERN, 0), E_BADSLOT);
  expect("a prefix of its tag", lookupRaw("qc-tag-", LOOKUP_TAG, 0), E_BADSLOT);
  // No valid name or tag is outside ASCII: such a query is decoded and matches nothing.
  expect("a name outside ASCII", lookupRaw("qc-\u00e9xtra", LOOKUP_NAME, 0), E_BADSLOT);
  expect("a tag outside ASCII", lookupRaw("qc-tag-\u00e9", LOOKUP_TAG, 0), E_BADSLOT);
  expect("a pattern outside ASCII", lookupRaw("qc-ex*\u00e9", LOOKUP_PATTERN, 0), E_BADSLOT);
  expect("an unknown lookup mode", lookupRaw("qc-extra", 7, 0), E_ARG);
  return finish();
}

function reRegister(): bool {
  const again = registry.register("qc-extra", "qc-tag-a", registry.version(1, 3, 0), IFACE);
  expect("the id of the name registered again", again, myId);
  expect("lookup", lookupRaw("qc-extra", LOOKUP_NAME, 0), OK);
  expect("its version now", sys.reply_word(2), registry.version(1, 3, 0));
  track(sys.recv_cap());
  expect("the tag it no longer has", lookupRaw("qc-tag-b", LOOKUP_TAG, 0), E_BADSLOT);
  return finish();
}

function healthyOnly(): bool {
  expect("heartbeat, degraded", sys.call(reg, TAG_REG_HEARTBEAT, HEALTH_DEGRADED, 0, 0, 0, 0, 0), OK);
  expect("lookup of a degraded service's entry", lookupRaw("qc-extra", LOOKUP_NAME, 0), E_BADSLOT);
  expect("the same, any health", lookupRaw("qc-extra", LOOKUP_NAME | LOOKUP_ANY_HEALTH, 0), OK);
  expect("the health it reports", sys.reply_word(4), HEALTH_DEGRADED);
  track(sys.recv_cap());
  expect("heartbeat, healthy", sys.call(reg, TAG_REG_HEARTBEAT, HEALTH_HEALTHY, 0, 0, 0, 0, 0), OK);
  expect("lookup once healthy again", lookupRaw("qc-extra", LOOKUP_NAME, 0), OK);
  track(sys.recv_cap());
  expect("a heartbeat with no health status", sys.call(reg, TAG_REG_HEARTBEAT, 9, 0, 0, 0, 0, 0), E_ARG);
  return finish();
}

function unregisterOwn(): bool {
  expect("lookup of qc-peer", lookupRaw("qc-peer", LOOKUP_NAME, 0), OK);
  const peerEntry = sys.reply_word(0);
  track(sys.recv_cap());
  expect("unregistering qc-peer's entry", registry.unregister(<i32>peerEntry), E_BADSLOT);
  expect("lookup of qc (its manifest entry)", lookupRaw("qc", LOOKUP_NAME, 0), OK);
  const own = sys.reply_word(0);
  track(sys.recv_cap());
  expect("unregistering one's manifest entry", registry.unregister(<i32>own), E_STATE);
  expect("unregistering qc-extra", registry.unregister(myId), OK);
  expect("lookup after unregister", lookupRaw("qc-extra", LOOKUP_NAME | LOOKUP_ANY_HEALTH, 0), E_BADSLOT);
  expect("unregistering it again", registry.unregister(myId), E_BADSLOT);
  expect("unregistering entry -1", registry.unregister(-1), E_BADSLOT);
  expect("unregistering entry 1 000 000", registry.unregister(1000000), E_BADSLOT);
  return finish();
}

function registerText(text: string): i32 {
  const b = String.UTF8.encode(text);
  sys.lease(0, changetype<usize>(b), b.byteLength, LEASE_READ);
  return sys.call(reg, TAG_REG_REGISTER, 0, 0, 0, 0, 0, 0);
}

function malformed(): bool {
  expect("an empty name", registerText(""), E_ARG);
  expect("only spaces", registerText("   "), E_ARG);
  expect("upper case and punctuation", registerText("Bad!Name"), E_ARG);
  expect("a bad tag", registerText("ok-name BAD"), E_ARG);
  expect("no lease at all", sys.call(reg, TAG_REG_REGISTER, 0, 0, 0, 0, 0, 0), E_ARG);
  expect("health of service 100 000", sys.call(reg, TAG_REG_HEALTH, 100000, 0, 0, 0, 0, 0), E_BADSLOT);
  expect("health of service -1", sys.call(reg, TAG_REG_HEALTH, -1, 0, 0, 0, 0, 0), E_BADSLOT);
  return finish();
}

function noControl(): bool {
  expect("halt through the registry capability", sys.call(reg, TAG_INIT_HALT, 0, 0, 0, 0, 0, 0), E_RIGHTS);
  expect("stop through it", sys.call(reg, TAG_INIT_STOP, <i32>peerIndex, 0, 0, 0, 0, 0), E_RIGHTS);
  expect("count through it", sys.call(reg, TAG_INIT_COUNT, 0, 0, 0, 0, 0, 0), E_RIGHTS);
  return finish();
}

function subscribers(): bool {
  if (phase() == 0) {
    expect("subscribe to qc-*", registry.subscribe("qc-p*"), OK);
    seenBefore = seenKinds.length;
    expect("a trap in qc-peer", sys.call(peer, QC_TRAP, 0, 0, 0, 0, 0, 0) < 0 ? 1 : 0, 1);
    return later(1);
  }
  let crashed = -1, restarted = -1;
  for (let k = seenBefore; k < seenKinds.length; k++) {
    if (seenKinds[k] == EV_CRASHED && crashed < 0) crashed = k;
    if (seenKinds[k] == EV_RESTARTED && restarted < 0) restarted = k;
  }
  if ((crashed < 0 || restarted < 0) && !waitOver()) return poll(1);
  check(crashed >= 0, "no EV_CRASHED event about qc-peer arrived");
  check(restarted > crashed, "no EV_RESTARTED event after the EV_CRASHED one");
  return finish();
}


// Seeded, so a failure can be replayed.
let seed: u64 = 0x9e3779b97f4a7c15;
function rand(): u64 { seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17; return seed; }

const junk = new StaticArray<u8>(256);
const WORDS: StaticArray<i64> = [0, 1, -1, 63, 64, 65535, 1 << 31, -(1 << 31), i64.MAX_VALUE, i64.MIN_VALUE, 0x7fffffff, 4096];

/** Random bytes, or a pattern built to make a naive glob take exponential time. */
function fillJunk(): i32 {
  const len = <i32>(rand() % 200);
  if (rand() % 4 == 0) {
    for (let i = 0; i < len; i++) junk[i] = i % 2 == 0 ? 0x2a : 0x61; // "*a*a*a..."
    if (len > 0) junk[len - 1] = 0x62;
    return len;
  }
  for (let i = 0; i < len; i++) junk[i] = <u8>rand();
  return len;
}

function word(): i64 { return rand() % 3 == 0 ? <i64>rand() : WORDS[<i32>(rand() % <u64>WORDS.length)]; }

function hostile(): bool {
  // A long name of one letter and a pattern of stars around it: a matcher that
  // backtracks into every star would take about C(60, 30) steps.
  const long = "a".repeat(60);
  const id = registry.register(long, "", 0, 0);
  check(id >= 0, "register of a 60-letter name gave " + id.toString());
  expect("a pathological pattern", lookupRaw("*a".repeat(30) + "b", LOOKUP_PATTERN | LOOKUP_ANY_HEALTH, 0), E_BADSLOT);
  expect("a long pattern that matches", lookupRaw("*a".repeat(30), LOOKUP_PATTERN | LOOKUP_ANY_HEALTH, 0), OK);
  track(sys.recv_cap());
  const tags = TAG_REG_LAST - TAG_REG_REGISTER + 1;
  let trapped = 0;
  for (let n = 0; n < 2000; n++) {
    const tag = TAG_REG_REGISTER + <i32>(rand() % <u64>tags);
    if (rand() % 2 == 0) sys.lease(0, changetype<usize>(junk), fillJunk(), rand() % 2 == 0 ? LEASE_READ : LEASE_WRITE);
    const r = sys.call(reg, tag, word(), word(), word(), word(), word(), word());
    if (r == E_CRASHED || r == E_DEAD) trapped++;
    const cap = sys.recv_cap();
    if (cap >= 0) sys.cap_delete(cap);
  }
  expect("calls into init that crashed it", trapped, 0);
  expect("init still answers", sys.call(reg, TAG_REG_COUNT, 0, 0, 0, 0, 0, 0), OK);
  expect("a lookup still works", lookupRaw("qc-peer", LOOKUP_NAME, 0), OK);
  track(sys.recv_cap());
  // Undo what the noise did to qc's own standing: its entries, readiness, health, subscription.
  unregisterMine();
  expect("ready again", registry.ready(true), OK);
  expect("healthy again", registry.heartbeat(false), OK);
  registry.subscribe("qc-p*");
  return finish();
}

// ---------------------------------------------------------------- whose names

/** Every entry qc added goes (its manifest entry stays: unregister refuses it). */
function unregisterMine(): void {
  const n = sys.call(reg, TAG_REG_COUNT, 0, 0, 0, 0, 0, 0) == OK ? <i32>sys.reply_word(0) : 0;
  for (let id = 0; id < n; id++) registry.unregister(id);
}

/** The first match of `name` among entries of any health: its pid, or the error. */
function pidOf(name: string, k: i32): i64 {
  const r = lookupRaw(name, LOOKUP_NAME | LOOKUP_ANY_HEALTH, k);
  track(sys.recv_cap());
  return r == OK ? sys.reply_word(5) : <i64>r;
}

function othersNames(): bool {
  expect("register qc-peer (qc-peer's name)", registerText("qc-peer"), E_PERM);
  expect("register qc-peer#2 (its second instance's name)", registerText("qc-peer#2"), E_PERM);
  expect("register qc-peer#9 (a name in its instance space)", registerText("qc-peer#9"), E_PERM);
  expect("register qc-fuzz with qc's own tag", registerText("qc-fuzz qc"), E_PERM);
  // No impostor came in: qc-peer's two instances are all a lookup finds.
  check(pidOf("qc-peer", 0) != sys.self() && pidOf("qc-peer", 1) != sys.self(), "a lookup of qc-peer found qc");
  expect("a third match of qc-peer", lookupRaw("qc-peer", LOOKUP_NAME | LOOKUP_ANY_HEALTH, 2), E_BADSLOT);
  track(sys.recv_cap());
  return finish();
}

/** A tag some other service's manifest entry has and qc's has not, or "". */
function foreignTag(): string {
  const mine = "qc";
  const buf = new StaticArray<u8>(128);
  const n = sys.call(reg, TAG_REG_COUNT, 0, 0, 0, 0, 0, 0) == OK ? <i32>sys.reply_word(0) : 0;
  for (let id = 0; id < n; id++) {
    memory.fill(changetype<usize>(buf), 0, 128);
    sys.lease(0, changetype<usize>(buf), 128, LEASE_WRITE);
    if (sys.call(reg, TAG_REG_INFO, id, 0, 0, 0, 0, 0) != OK || sys.reply_word(5) == sys.self()) continue;
    const words = String.UTF8.decodeUnsafe(changetype<usize>(buf), 128).split(String.fromCharCode(0))[0].split(" ");
    for (let k = 1; k < words.length; k++) if (words[k].length > 0 && words[k] != mine) return words[k];
  }
  return "";
}

function othersTags(): bool {
  const tag = foreignTag();
  if (tag.length == 0) return unsupported("no other service of the image declares a tag qc does not");
  expect("register qc-tagged with the tag " + tag, registerText("qc-tagged " + tag), E_PERM);
  expect("the same with qc's own tag first", registerText("qc-tagged qc " + tag), E_PERM);
  expect("a lookup of the name refused", lookupRaw("qc-tagged", LOOKUP_NAME | LOOKUP_ANY_HEALTH, 0), E_BADSLOT);
  return finish();
}

function ownNames(): bool {
  expect("lookup of qc", lookupRaw("qc", LOOKUP_NAME | LOOKUP_ANY_HEALTH, 0), OK);
  const entry = sys.reply_word(0), ver = sys.reply_word(2), iface = <i32>sys.reply_word(3);
  track(sys.recv_cap());
  expect("register qc (its own name) with its tag qc", registry.register("qc", "qc", <u32>ver, iface), <i32>entry);
  const inst = registry.register("qc#2", "qc", 0, 0);
  check(inst >= 0, "register qc#2 (in its own instance space) gave " + inst.toString());
  expect("lookup of qc#2", pidOf("qc#2", 0), sys.self());
  expect("unregister qc#2", registry.unregister(inst), OK);
  const free = registry.register("qc-free-name", "qc-free-tag", 0, 0);
  check(free >= 0, "register of a name and tag nobody owns gave " + free.toString());
  expect("unregister it", registry.unregister(free), OK);
  return finish();
}

function quota(): bool {
  unregisterMine();
  let n = 0, r = 0;
  for (; n <= DEFAULT_REGISTRATIONS + 1; n++) {
    r = registry.register("qc-quota-" + n.toString(), "", 0, 0);
    if (r < 0) break;
  }
  expect("the refusal once qc's entries are used", r, E_NOSPACE);
  expect("entries qc could add (its quota: registrations, default)", n, DEFAULT_REGISTRATIONS);
  expect("registering one of its names again (an update, not an entry)", registry.register("qc-quota-0", "qc", 0, 0) >= 0 ? OK : -1, OK);
  // The registry itself is not full: it keeps room for every other service's quota.
  expect("lookup of qc-quota-0", lookupRaw("qc-quota-0", LOOKUP_NAME | LOOKUP_ANY_HEALTH, 0), OK);
  const one = sys.reply_word(0);
  track(sys.recv_cap());
  expect("unregister one", registry.unregister(<i32>one), OK);
  check(registry.register("qc-quota-again", "", 0, 0) >= 0, "a registration after unregistering one was refused");
  unregisterMine();
  return finish();
}
