// devmgr: the device manager (docs/devices.md: The device manager). It holds
// the bus (caps = ["bus"], and its line with interrupts = ["bus"]), keeps a
// picture of every slot, hands out devices as badged, revocable handles,
// counts power references per handle and suspends a device the idle delay
// after its last reference goes, publishes every plug and unplug with the
// bus's sequence number, and plugs and unplugs on request (the shell's
// `dev plug`, so also `quark ctl` from the host).
//
// A client that goes away releases its handles without doing anything: the
// devmgr subscribes to the registry's service events (TAG_REG_SUBSCRIBE, the
// system's existing "a service went away" mechanism) and, when a client
// crashes, exits, is stopped or killed, closes every handle that client
// opened. Its references go with them.
//
// Drivers are services too: the manifest's rules say which service drives
// which devices (drivers.ts), and reads, writes and controls through a
// handle are forwarded to the bound driver with the data through leases (io.ts).
import {
  sys, arg, reply, keepCap, acceptCaps, rearmCap, capByName, irqListen, irqClear, irqArm, registry, OK, E_ARG, E_RIGHTS,
  E_STATE, E_BADSLOT, K_ENDPOINT, CSPACE_SLOTS, NOTE_STOP, NOTE_TIMER, BUS_SLOT_COUNT, BUS_PLUG, BUS_UNPLUG, BUS_SEQ,
  DEVST_EMPTY, DEVST_PRESENT, DEVMGR_HANDLE_BADGE, DEVMGR_HANDLES, DEVMGR_IDLE_MAX_MS, DEVEV_UNPLUG, MAX_PROCS,
  endsInstance, clientGone, TAG_REG_EVENT, TAG_REG_INFO, fnv1a,
  TAG_DEV_COUNT, TAG_DEV_INFO, TAG_DEV_TIMES, TAG_DEV_FIND, TAG_DEV_OPEN, TAG_DEV_REVOKE, TAG_DEV_POWER, TAG_DEV_IDLE,
  TAG_DEV_EVENTS, TAG_DEV_SUBSCRIBE, TAG_DEV_WAIT, TAG_DEV_PLUG, TAG_DEV_UNPLUG, TAG_DEV_AUDIT, TAG_DEV_RELEASE_ALL,
  TAG_DEV_GET, TAG_DEV_PUT, TAG_DEV_HANDLE, TAG_DEV_CLOSE, TAG_DEV_DRIVER, TAG_DEV_WAIT_BOUND, TAG_DEV_READ,
  TAG_DEV_WRITE, TAG_DEV_IOCTL, LEASE_WRITE, E_DEAD, E_PERM, E_NOSPACE, CQ_TARGET, TAG_INIT_COUNT, TAG_INIT_STATUS,
  log,
} from "../lib";
import {
  busInit, bus, reg, sync, changes, changeKind, changeSlot, changeType, changeId, syncSeq, seenSeq, sId, sType,
  sPresent, sRefs, sPolicy, sOpens, slotOf, validSlot, powerOf, setPolicy, idleTimer, idleNs, setIdleMs, presentCount,
  timeOn, timeSuspend, timeOff, wakeAfter, wakeDue,
} from "./bus";
import {
  handlesInit, isHandleBadge, rowOf, openRow, closeRow, getRef, putRef, closeOwner, closeDevice, badgeOf, openCount, sweepHandles, firstOpenOf,
  hUsed, hId, hSlot, hRefs, hOwner, hCap, HANDLE_LABEL,
} from "./handles";
import { eventsInit, publish, eventAfter, subscribe, presentMatch, addWait, dropOwner, bound, forgetPeers, sweepPeers } from "./events";
import {
  driversInit, readRules, announce, driverEnded, unbind, wantBind, bindAll, bindPending, retryLater, driverOf, whenBound,
} from "./drivers";
import { deviceIo } from "./io";
import { plugAtBoot } from "./bootplug";

const IRQ_BIT = 0; // IRQ_BUS arrives as notification bit 0
let irq = -1;
let restarted = false;

export function quark_start(pid: i32, restarts: i32): i32 {
  const b = capByName("bus");
  if (b < 0) { log("no bus capability (caps = [\"bus\"])"); return b; }
  restarted = restarts > 0;
  if (restarted) forgetHandles();
  busInit(b);
  handlesInit();
  eventsInit();
  driversInit(restarts > 0);
  whenBound(bound);
  sync(); // the machine as it is now: no events for what was there before
  // Without the bus's line (another service drives it) the devmgr still sees
  // every change: each request looks at BUS_SEQ first.
  irq = irqListen("bus", IRQ_BIT);
  acceptCaps(); // subscribers, waiters and drivers send their endpoint
  wakeAfter(0); // the registry (init) cannot answer while it is starting us: ask it from quark_notify
  return OK;
}

let registered = false, subscribed = false;

/**
 * What needs init's registry: the manifest's idle delay and the subscription
 * to service events (a client that goes away closes its handles). init is
 * busy starting services while the devmgr starts (a call to it then answers
 * E_DEAD), so this runs at the first entry that can reach it, and again until
 * it has.
 */
function register(): void {
  if (registered) return;
  // Not yet (init is still starting services): look again in a millisecond, so
  // the subscription never waits for a request that may not come.
  if (!subscribed) {
    if (registry.subscribe("*") != OK) { wakeAfter(1000000); return; }
    subscribed = true;
    idleFromTags();
  }
  // The drivers' rules: a driver that announces itself before they are read
  // is answered E_BUSY and tries again.
  if (readRules() != OK) { wakeAfter(1000000); return; }
  registered = true;
  plugAtBoot(restarted, plugDevice); // the image's own devices ([qpu]), bound by the rules just read
  // For a manifest that says ready = "notify" (not needed: see above). init
  // may start services inside this call; a driver among them finds the devmgr
  // busy and announces itself a moment later.
  registry.ready();
  wantBind();
}

/**
 * After a restart the table is gone with the old instance but the handles'
 * capabilities are still in this process's space, and clients hold copies:
 * revoke them (found by their label), so every old handle goes, and with it
 * every reference the old instance counted. The subscribers' and waiters'
 * endpoints it kept are deleted; the manifest's grants are left alone.
 */
function forgetHandles(): void {
  for (let n = 0; n < CSPACE_SLOTS; n++) {
    const s = sys.cap_find(HANDLE_LABEL);
    if (s < 0) break;
    sys.cap_revoke(s);
    sys.cap_delete(s);
  }
  forgetPeers();
}

/**
 * The idle delay from the manifest: a tag "idle-MSms" on the devmgr's
 * service (tags = ["devices", "idle-50ms"]), read back from the registry,
 * which holds the manifest's tags; DEVMGR_IDLE_MS without one.
 */
function idleFromTags(): void {
  const buf = new StaticArray<u8>(128);
  // The registry's static entries are the services in manifest order; find ours by its pid.
  const reg_ = capByName("registry");
  const me = sys.self();
  for (let i = 0; i < MAX_PROCS; i++) {
    for (let b = 0; b < buf.length; b++) unchecked(buf[b] = 0);
    sys.lease(0, changetype<usize>(buf), buf.length, LEASE_WRITE);
    if (sys.call(reg_, TAG_REG_INFO, i, 0, 0, 0, 0, 0) != OK) break;
    if (<i32>sys.reply_word(5) != me) continue;
    const text = String.UTF8.decodeUnsafe(changetype<usize>(buf), buf.length).split("\0")[0];
    const words = text.split(" ");
    for (let w = 1; w < words.length; w++) {
      const t = words[w];
      if (!t.startsWith("idle-") || !t.endsWith("ms")) continue;
      const digits = t.substring(5, t.length - 2);
      let v: i64 = 0, ok = digits.length > 0 && digits.length <= 7;
      for (let c = 0; c < digits.length && ok; c++) {
        const d = digits.charCodeAt(c) - 48;
        if (d < 0 || d > 9) ok = false; else v = v * 10 + d;
      }
      if (ok && v <= DEVMGR_IDLE_MAX_MS) setIdleMs(<i32>v);
    }
    break;
  }
}

export function quark_handle(badge: i32, tag: i32): i32 {
  register();
  const row = isHandleBadge(badge) ? rowOf(badge) : -1;
  refresh();
  // A handle that was open when the request came and closed by this look: its device was unplugged.
  const r = row >= 0 && rowOf(badge) < 0 ? E_DEAD : isHandleBadge(badge) ? onHandle(badge, tag) : dispatch(badge, tag);
  rearmCap(); // a capability that came with another request is deleted, and the next one may come
  // A driver announcing itself is still starting: it is bound at the timer, once it runs.
  if (bindPending() && tag != TAG_DEV_DRIVER) bind();
  return r;
}

/** Bind what waits for a driver; a driver busy now (in a call) is tried again a millisecond later. */
function bind(): void {
  bindAll();
  if (retryLater) wakeAfter(1000000);
}

export function quark_notify(bits: i32, unused: i32): i32 {
  if ((bits & NOTE_STOP) != 0) { sys.exit(0); return OK; }
  register();
  if ((bits & (1 << IRQ_BIT)) != 0 && irq >= 0) {
    // Clear, look, then arm: a plug after the clear is latched again and delivered at the arm.
    irqClear(irq);
    refresh();
    irqArm(irq);
  }
  if ((bits & NOTE_TIMER) != 0) { wakeDue(); idleTimer(); }
  bind();
  return OK;
}

/** Look at the bus; turn what changed into events, and close the handles of what went. */
function refresh(): void {
  if (!sync()) return;
  // The bus counts every plug and unplug; a change undone before the devmgr
  // looked leaves no trace, so the numbers end at BUS_SEQ and readers see the gap.
  const first = syncSeq - changes + 1;
  for (let k = 0; k < changes; k++) {
    const kind = unchecked(changeKind[k]), id = unchecked(changeId[k]);
    if (kind == DEVEV_UNPLUG) { unbind(unchecked(changeSlot[k]), id); closeDevice(id); } else wantBind();
    publish(first + k, kind, unchecked(changeSlot[k]), unchecked(changeType[k]), id);
  }
}

function dispatch(badge: i32, tag: i32): i32 {
  if (tag == TAG_REG_EVENT) return badge == 0 ? serviceEvent(<i32>arg(0), <i32>arg(1), arg(5)) : E_RIGHTS;
  if (badge <= 0 || badge >= DEVMGR_HANDLE_BADGE) return E_RIGHTS;
  switch (tag) {
    case TAG_DEV_COUNT:
      reply(BUS_SLOT_COUNT, seenSeq, idleNs / 1000000, openCount, DEVMGR_HANDLES, presentCount());
      return OK;
    case TAG_DEV_INFO: return info(arg(0));
    case TAG_DEV_TIMES: return times(arg(0));
    case TAG_DEV_FIND: { const s = slotOf(arg(0)); if (s < 0) return s; reply(s); return OK; }
    case TAG_DEV_OPEN: return open(badge, arg(0));
    case TAG_DEV_REVOKE: return revoke(badge, arg(0));
    case TAG_DEV_POWER: return power(arg(0), arg(1));
    case TAG_DEV_IDLE: return idle(arg(0));
    case TAG_DEV_EVENTS: return eventAfter(arg(0));
    case TAG_DEV_SUBSCRIBE: return subscribeCall(badge);
    case TAG_DEV_WAIT: return wait(badge, arg(0), arg(1));
    case TAG_DEV_PLUG: return plug(arg(0));
    case TAG_DEV_UNPLUG: return unplug(arg(0));
    case TAG_DEV_AUDIT: return audit();
    case TAG_DEV_RELEASE_ALL: reply(closeOwner(badge), dropOwner(badge)); return OK;
    case TAG_DEV_DRIVER: return driverCall(badge);
    case TAG_DEV_WAIT_BOUND: return waitBound(badge, arg(0), arg(1));
  }
  return E_ARG;
}

/** A request through a handle: the badge names one open, or a closed one (E_REVOKED). */
function onHandle(badge: i32, tag: i32): i32 {
  const h = rowOf(badge);
  if (h < 0) return h;
  const s = unchecked(hSlot[h]);
  switch (tag) {
    case TAG_DEV_GET: case TAG_DEV_PUT: {
      const r = tag == TAG_DEV_GET ? getRef(h) : putRef(h);
      if (r < 0) return r;
      reply(unchecked(hRefs[h]), unchecked(sRefs[s]));
      return OK;
    }
    case TAG_DEV_HANDLE:
      reply(unchecked(hId[h]), s, unchecked(hRefs[h]), unchecked(sRefs[s]), powerOf(s), h);
      return OK;
    case TAG_DEV_CLOSE: closeRow(h); return OK;
    case TAG_DEV_READ: case TAG_DEV_WRITE: case TAG_DEV_IOCTL: return deviceIo(s, unchecked(hId[h]), tag, refresh);
  }
  return E_ARG;
}

function info(raw: i64): i32 {
  if (!validSlot(raw)) return E_ARG;
  const s = <i32>raw;
  if (!unchecked(sPresent[s])) { reply(DEVST_EMPTY); return OK; }
  reply(DEVST_PRESENT, unchecked(sType[s]), unchecked(sId[s]), powerOf(s), unchecked(sRefs[s]), unchecked(sPolicy[s]));
  return OK;
}

function times(raw: i64): i32 {
  if (!validSlot(raw)) return E_ARG;
  const s = <i32>raw;
  if (!unchecked(sPresent[s])) { reply(0, 0, 0, -1, 0); return OK; }
  reply(timeOn(s), timeSuspend(s), timeOff(s), driverOf(s), unchecked(sOpens[s]));
  return OK;
}

function open(badge: i32, id: i64): i32 {
  const s = slotOf(id);
  if (s < 0) return s;
  let h = openRow(s, badge);
  if (h == E_NOSPACE && sweep("when an open found no row free") > 0) h = openRow(s, badge);
  if (h < 0) return h;
  // The client's copy is made when this handler returns; without a slot armed for it (E_NORECV) the open is undone.
  const r = sys.reply_cap(unchecked(hCap[h]));
  if (r < 0) { closeRow(h); return r; }
  reply(h, badgeOf(h));
  return OK;
}


function revoke(badge: i32, raw: i64): i32 {
  if (raw < 0 || raw >= DEVMGR_HANDLES) return E_ARG;
  const h = <i32>raw;
  if (!unchecked(hUsed[h]) || unchecked(hOwner[h]) != badge) return E_BADSLOT; // not one of the caller's
  closeRow(h);
  return OK;
}

function power(id: i64, policy: i64): i32 {
  const s = slotOf(id);
  if (s < 0) return s;
  if (policy < 0 || policy > 2) return E_ARG;
  const r = setPolicy(s, <i32>policy);
  if (r < 0) return r;
  reply(r);
  return OK;
}

function idle(ms: i64): i32 {
  if (ms != -1) {
    if (ms < 0 || ms > DEVMGR_IDLE_MAX_MS) return E_ARG;
    setIdleMs(<i32>ms);
  }
  reply(idleNs / 1000000);
  return OK;
}

/**
 * Whether an endpoint a client hands over delivers to the client itself: the
 * devmgr's sends must not be aimed at a third service by someone else's
 * request (a flood of events into a victim's queue).
 */
@inline function ownEndpoint(cap: i32, pid: i32): bool { return sys.cap_query(cap, CQ_TARGET) == pid; }

function subscribeCall(badge: i32): i32 {
  const cap = sys.msg_cap();
  if (cap < 0 || (sys.cap_info(cap) & 0xff) != K_ENDPOINT) return E_ARG;
  if (!ownEndpoint(cap, badge)) return E_PERM;
  const r = subscribe(cap, badge);
  if (r < 0) return r;
  keepCap();
  reply(seenSeq);
  return OK;
}

function wait(badge: i32, type: i64, id: i64): i32 {
  if (type < 0 || type > 0x7fffffff || id < 0 || id > 0x7fffffff) return E_ARG;
  const s = presentMatch(type, id);
  if (s >= 0) { reply(unchecked(sId[s]), s, unchecked(sType[s]), seenSeq); return OK; }
  const cap = sys.msg_cap();
  if (cap >= 0) {
    if ((sys.cap_info(cap) & 0xff) != K_ENDPOINT) return E_ARG;
    if (!ownEndpoint(cap, badge)) return E_PERM;
    const r = addWait(type, id, cap, badge);
    if (r < 0) return r;
    keepCap();
  }
  reply(0, -1, 0, seenSeq);
  return OK;
}

/** TAG_DEV_DRIVER: a driver announces itself with its endpoint (drivers.ts checks it is one). */
function driverCall(pid: i32): i32 {
  const r = announce(pid, sys.msg_cap(), <i32>arg(0));
  if (r < 0) return r;
  keepCap();
  wakeAfter(0); // bind once its start has ended
  reply(r);
  return OK;
}

function waitBound(badge: i32, type: i64, id: i64): i32 {
  if (type < 0 || type > 0x7fffffff || id < 0 || id > 0x7fffffff) return E_ARG;
  bind(); // a device plugged on the bus since the last look is bound first, if it can be now
  const s = presentMatch(type, id, true);
  if (s >= 0) { reply(unchecked(sId[s]), s, unchecked(sType[s]), driverOf(s)); return OK; }
  const cap = sys.msg_cap();
  if (cap >= 0) {
    if ((sys.cap_info(cap) & 0xff) != K_ENDPOINT) return E_ARG;
    if (!ownEndpoint(cap, badge)) return E_PERM;
    const r = addWait(type, id, cap, badge, true);
    if (r < 0) return r;
    keepCap();
  }
  reply(0, -1, 0, -1);
  return OK;
}

function plug(type: i64): i32 {
  if (type <= 0 || type > 0x7fffffff) return E_ARG;
  const s = plugDevice(<i32>type);
  if (s < 0) return s;
  reply(s, unchecked(sId[s]), seenSeq);
  return OK;
}

/** Plug a device of `type`: its slot, or the bus's error. */
function plugDevice(type: i32): i32 {
  sys.dev_write(bus, BUS_PLUG, type);
  const s = reg(BUS_PLUG);
  if (s < 0) return s;
  refresh(); // the event now, not at the interrupt: the reply's seq is in the log already
  bind(); // and its driver, if one matches: plugged and bound when this answers
  return s;
}

function unplug(id: i64): i32 {
  const s = slotOf(id);
  if (s < 0) return s;
  sys.dev_write(bus, BUS_UNPLUG, s);
  const r = reg(BUS_UNPLUG);
  if (r < 0) return r;
  refresh();
  reply(seenSeq);
  return OK;
}

/**
 * The books, checked: each device's count against the sum of its handles',
 * and a checksum a test compares with its model's.
 */
function audit(): i32 {
  let refs: i64 = 0, sum: i64 = 0, bad = 0;
  for (let s = 0; s < BUS_SLOT_COUNT; s++) {
    let own: i64 = 0;
    for (let h = 0; h < DEVMGR_HANDLES; h++) if (unchecked(hUsed[h]) && unchecked(hSlot[h]) == s && unchecked(sId[s]) == unchecked(hId[h])) own += unchecked(hRefs[h]);
    if (own != unchecked(sRefs[s]) || unchecked(sRefs[s]) < 0) bad++;
    refs += unchecked(sRefs[s]);
  }
  for (let h = 0; h < DEVMGR_HANDLES; h++) {
    if (!unchecked(hUsed[h])) continue;
    sum = (sum * 31 + <i64>unchecked(hId[h]) * 65537 + unchecked(hRefs[h])) & 0x7fffffffffff;
  }
  reply(openCount, refs, bad, sum);
  return OK;
}

/** A service went away (the registry's event, from init): close what it opened. */
function serviceEvent(index: i32, kind: i32, missed: i64): i32 {
  // An event lost to a full queue may have been a client's end: what its holders left behind is found by sweeping.
  if (missed > 0) sweep("after " + missed.toString() + " lost service events");
  if (!endsInstance(kind)) return OK;
  driverEnded(index);
  if (sys.call(capByName("registry"), TAG_REG_INFO, index, 0, 0, 0, 0, 0) != OK) return OK;
  const pid = <i32>sys.reply_word(5);
  const n = closeOwner(pid);
  dropOwner(pid);
  if (n > 0) log("pid " + pid.toString() + " went away: " + n.toString() + " handles closed, their references released");
  return OK;
}

/**
 * What every client that went away left, whether or not its service event
 * reached the devmgr: the handles of owners init's books say are down, or
 * ended since they opened them (a restarted client keeps its pid and its
 * capabilities, but not what it knew of them); the handles no process holds
 * a copy of; the subscriptions and waits whose endpoints are gone. How many
 * handles were closed.
 */
function sweep(why: string): i32 {
  const o = sweepOwners(), n = sweepHandles(), p = sweepPeers();
  if (o + n + p > 0) {
    log("sweep " + why + ": " + o.toString() + " handles of clients that went closed, " + n.toString() + " that nobody holds closed, " +
      p.toString() + " subscriptions and waits of gone clients forgotten; their references released");
  }
  return o + n;
}

/** Close the rows of every owner init's books say is gone (lib/ended.ts: neither running nor paused, or ended since its first open here). */
function sweepOwners(): i32 {
  const init = capByName("init");
  if (init < 0 || sys.call(init, TAG_INIT_COUNT, 0, 0, 0, 0, 0, 0) != OK) return 0;
  const services = <i32>sys.reply_word(0);
  let closed = 0;
  for (let i = 0; i < services; i++) {
    if (sys.call(init, TAG_INIT_STATUS, i, 0, 0, 0, 0, 0) != OK) continue;
    const state = <i32>sys.reply_word(0), pid = <i32>sys.reply_word(1);
    const since = pid > 0 ? firstOpenOf(pid) : -1;
    if (since < 0) continue;
    if (!clientGone(init, i, state, since)) continue;
    closed += closeOwner(pid);
    dropOwner(pid);
  }
  return closed;
}
