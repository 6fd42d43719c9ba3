// Service-management figures: registry lookups, limit enforcement and the
// cost of monitoring, each measured through the calls a service makes.
import {
  sys, call, send, registry, OK, E_CRASHED, E_QFULL, E_NOMEM, LEASE_READ, MAX_OBJECT_PAGES, RECV_ANY,
  TAG_REG_LOOKUP, LOOKUP_NAME, LOOKUP_TAG, LOOKUP_PATTERN, TAG_INIT_HEALTH_CHECK, TAG_SPIN, TAG_SPIN_NOP,
} from "../lib";

export type EmitWith = (name: string, unit: string, batch: i32, samples: Array<i64>, scale: i64, attrs: string) => void;

/** Why a figure could not be measured, for the bench's console (the figure is then left out). */
export let failure = "";

/** Say why a figure could not be measured (another module of bench cannot assign `failure`). */
export function fail(why: string): void { failure += " " + why; }

// ---------------------------------------------------------------- registry

/**
 * registry.lookup, registry.lookup.pattern, registry.lookup.tag: one
 * TAG_REG_LOOKUP call to init (the query in a read lease), the endpoint
 * capability the reply brings, and deleting that capability so the client's
 * slots never run out: what a client pays to find a service.
 */
export function lookups(reg: i32, samples: i32, batch: i32, emit: EmitWith): void {
  lookupFigure(reg, "registry.lookup", "echo", LOOKUP_NAME, samples, batch, emit);
  lookupFigure(reg, "registry.lookup.pattern", "ech*", LOOKUP_PATTERN, samples, batch, emit);
  lookupFigure(reg, "registry.lookup.tag", "demo", LOOKUP_TAG, samples, batch, emit);
}

@inline function lookupOnce(reg: i32, q: usize, n: i32, mode: i32): i32 {
  sys.lease(0, q, n, LEASE_READ);
  sys.cap_recv(RECV_ANY); // the slot the reply's capability lands in (the transfer consumes it)
  const r = sys.call(reg, TAG_REG_LOOKUP, mode, 0, 0, 0, 0, 0);
  if (r < 0) return r;
  const cap = sys.recv_cap();
  if (cap < 0) return cap;
  return sys.cap_delete(cap);
}

function lookupFigure(reg: i32, name: string, query: string, mode: i32, samples: i32, batch: i32, emit: EmitWith): void {
  const bytes = String.UTF8.encode(query);
  const q = changetype<usize>(bytes), n = bytes.byteLength;
  const first = lookupOnce(reg, q, n, mode);
  if (first != OK) { failure += " " + name + ": lookup of \"" + query + "\" answered " + first.toString(); return; }
  for (let i = 0; i < batch * 10; i++) lookupOnce(reg, q, n, mode); // warm, as ipc.call.roundtrip is
  const out = new Array<i64>();
  for (let s = 0; s < samples; s++) {
    const t0 = sys.time();
    for (let i = 0; i < batch; i++) lookupOnce(reg, q, n, mode);
    out.push(sys.time() - t0);
  }
  emit(name, "ns", batch, out, batch, "query=" + query);
}

// ---------------------------------------------------------------- monitoring

/** monitor.heartbeat: one registry.heartbeat() call, as a heartbeating service makes on each beat. */
export function heartbeats(samples: i32, batch: i32, emit: EmitWith): void {
  if (registry.heartbeat() != OK) { failure += " monitor.heartbeat: refused"; return; }
  const out = new Array<i64>();
  for (let s = 0; s < samples; s++) {
    const t0 = sys.time();
    for (let i = 0; i < batch; i++) registry.heartbeat();
    out.push(sys.time() - t0);
  }
  emit("monitor.heartbeat", "ns", batch, out, batch, "");
}

/**
 * monitor.check: one health check of every service (init pings each running
 * one under a fuel deadline and looks at its heartbeats), asked for through
 * TAG_INIT_HEALTH_CHECK and timed here; monitor.check.init: the same check as
 * init times it, without the call. Both carry how many services were checked
 * and init's health interval, from which `quark bench` derives monitor.overhead.
 */
export function healthChecks(init: i32, samples: i32, batch: i32, emit: EmitWith): void {
  const r = call(init, TAG_INIT_HEALTH_CHECK);
  if (r != OK) { failure += " monitor.check: init answered " + r.toString(); return; }
  const services = sys.reply_word(0), intervalMs = sys.reply_word(2);
  const outside = new Array<i64>(), inside = new Array<i64>();
  for (let s = 0; s < samples; s++) {
    let within: i64 = 0;
    const t0 = sys.time();
    for (let i = 0; i < batch; i++) {
      call(init, TAG_INIT_HEALTH_CHECK);
      within += sys.reply_word(1);
    }
    outside.push(sys.time() - t0);
    inside.push(within);
  }
  const attrs = "services=" + services.toString() + " interval_ms=" + intervalMs.toString();
  emit("monitor.check", "ns", batch, outside, batch, attrs);
  emit("monitor.check.init", "ns", batch, inside, batch, attrs);
}

// ---------------------------------------------------------------- limits

/** How long a short path runs before it is measured (50 ms). */
export const WARM_NS: i64 = 50_000_000;

/** limit.queue.refuse: a send to a service whose queue (queue_depth = 1) is full, refused with E_QFULL. */
export function queueRefuse(spin: i32, samples: i32, batch: i32, emit: EmitWith): void {
  // Fill the queue: the first send waits (spin handles it after this phase), the next is refused.
  let r = send(spin, TAG_SPIN_NOP);
  let filled = 0;
  while (r == OK && ++filled < 64) r = send(spin, TAG_SPIN_NOP);
  if (r != E_QFULL) { failure += " limit.queue.refuse: send answered " + r.toString(); return; }
  let wrong = 0;
  // Warm for a while, not a count: the refusal path is short enough that a
  // run measured before the engine's optimising tier (compiled in the
  // background) has replaced it reads two to three times slower, in the old
  // build as in the new.
  const warmUntil = sys.time() + WARM_NS;
  while (sys.time() < warmUntil) for (let i = 0; i < batch; i++) if (send(spin, TAG_SPIN_NOP) != E_QFULL) wrong++;
  const out = new Array<i64>();
  for (let s = 0; s < samples; s++) {
    const t0 = sys.time();
    for (let i = 0; i < batch; i++) if (send(spin, TAG_SPIN_NOP) != E_QFULL) wrong++;
    out.push(sys.time() - t0);
  }
  if (wrong > 0) { failure += " limit.queue.refuse: " + wrong.toString() + " sends not refused"; return; }
  emit("limit.queue.refuse", "ns", batch, out, batch, "queued=" + filled.toString());
}

/** limit.quota.refuse: mem_create of a whole MAX_OBJECT_PAGES object, over bench's page quota: E_NOMEM. */
export function quotaRefuse(samples: i32, batch: i32, emit: EmitWith): void {
  const r = sys.mem_create(MAX_OBJECT_PAGES);
  if (r != E_NOMEM) {
    if (r >= 0) sys.cap_delete(r);
    failure += " limit.quota.refuse: mem_create answered " + r.toString();
    return;
  }
  const out = new Array<i64>();
  let wrong = 0;
  for (let s = 0; s < samples; s++) {
    const t0 = sys.time();
    for (let i = 0; i < batch; i++) if (sys.mem_create(MAX_OBJECT_PAGES) != E_NOMEM) wrong++;
    out.push(sys.time() - t0);
  }
  if (wrong > 0) { failure += " limit.quota.refuse: " + wrong.toString() + " requests not refused"; return; }
  emit("limit.quota.refuse", "ns", batch, out, batch, "pages=" + MAX_OBJECT_PAGES.toString());
}

// limit.cpu.stop: a call into TAG_SPIN, whose handler spins until its CPU
// budget (cpu_budget in images/bench.toml) is spent and the kernel stops it,
// timed until the caller holds E_CRASHED. Between samples spin is restarted
// by init; each step waits (on a timer) until it answers again.
const cpuNs = new Array<i64>();
let cpuPolls = 0;
const MAX_POLLS = 100000;

/** One step; true when the figure is done (emitted, or given up on). */
export function cpuStopStep(spin: i32, samples: i32, emit: EmitWith): bool {
  if (call(spin, TAG_SPIN_NOP) != OK) {
    if (++cpuPolls > MAX_POLLS) { failure += " limit.cpu.stop: spin was not restarted"; return finishCpu(emit); }
    return false;
  }
  cpuPolls = 0;
  const t0 = sys.time();
  const r = call(spin, TAG_SPIN);
  const dt = sys.time() - t0;
  if (r != E_CRASHED) { failure += " limit.cpu.stop: TAG_SPIN answered " + r.toString(); return finishCpu(emit); }
  cpuNs.push(dt);
  return cpuNs.length >= samples ? finishCpu(emit) : false;
}

function finishCpu(emit: EmitWith): bool {
  if (cpuNs.length > 0 && failure.indexOf("limit.cpu.stop") < 0) emit("limit.cpu.stop", "ns", 1, cpuNs, 1, "");
  return true;
}
