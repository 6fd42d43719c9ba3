// Hot reload (TAG_INIT_RELOAD): replace a running service's instance with
// its module as the image file holds it now, keeping its pid, endpoint and
// capabilities (so every client's capability, and the registry's entry for
// it, keep working). The kernel does the swap (proc_reload, kernel/reload.ts):
// messages queued for the service wait and go to the new instance; the old
// one may hand state over (quark_save, handoff_put); a new instance whose
// start fails is discarded and the old one runs on. init decides when, and
// keeps the books: EV_DRAINING, then EV_RELOADED or EV_RELOAD_FAILED.
import {
  sys, fmtMicros, OK, E_STATE, PI_QUEUED, PI_STATE, PS_RUNNING, EV_DRAINING, EV_RELOADED, EV_RELOAD_FAILED,
  SVC_RUNNING,
} from "../lib";
import { errorName } from "../lib/names";
import { Service } from "./service";
import { renameAll } from "./start";
import { say } from "./say";
import { check } from "./health";

const reloads = new Map<string, i32>();

/** Reload service `s` (flags: RELOAD_*); the new instance's start status, or the error after a rollback. */
export function reload(s: Service, flags: i32, badge: i32): i32 {
  if (s.proc < 0 || s.state != SVC_RUNNING) return E_STATE;
  const queued = sys.proc_info(s.proc, PI_QUEUED);
  s.events.add(EV_DRAINING, queued);
  const t0 = sys.time();
  const r = sys.proc_reload(s.proc, flags);
  const dt = sys.time() - t0;
  const who = s.spec.name + " (pid " + s.pid.toString() + ")";
  if (r < 0) {
    s.events.add(EV_RELOAD_FAILED, r);
    // The old instance trapped in quark_save, or exited there: the supervisor hears of it as a fault.
    const running = sys.proc_info(s.proc, PI_STATE) == PS_RUNNING;
    say("reload of " + s.spec.name + " failed: " + errorName(r) +
      (running ? "; the old instance keeps running" : "; it stopped (its restart policy applies)") + asked(badge));
    return r;
  }
  const n = (reloads.has(s.spec.name) ? reloads.get(s.spec.name) : 0) + 1;
  reloads.set(s.spec.name, n);
  s.events.add(EV_RELOADED, n);
  check(s); // a new instance: ping it now
  if (s.spec.name == "log") renameAll(); // a new log instance knows no names (it hands none over)
  say("reloaded " + who + " in " + fmtMicros(dt) + " µs; " + queued.toString() + " queued messages drained" + asked(badge));
  return r == OK ? OK : r;
}

function asked(badge: i32): string { return " (asked by pid " + badge.toString() + ")"; }
