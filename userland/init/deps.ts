// Dependencies at run time: when a required dependency goes down for good
// (stopped, disabled, or given up on), the services that require it are
// stopped and remember why; when it is back they start again. A service that
// binds_to a dependency is restarted whenever that dependency is restarted.
import { sys, EV_HELD, EV_STARTED, EV_BOUND_RESTART, SVC_RUNNING, SVC_PAUSED, SVC_STOPPED, SVC_STOPPING, SVC_STARTING } from "../lib";
import { errorName } from "../lib/names";
import { Service, services } from "./service";
import { launched } from "./start";
import { beginStop } from "./supervisor";
import { say } from "./say";

function requires(d: Service, x: i32): i32 {
  for (let k = 0; k < d.spec.deps.length; k++) if (d.spec.deps[k] == x) return k;
  return -1;
}

/** `x` is down for good: stop what requires it; how many were stopped. */
export function dependencyDown(x: i32): i32 {
  let n = 0;
  for (let i = 0; i < services.length; i++) {
    const d = services[i];
    if (requires(d, x) < 0 || (d.state != SVC_RUNNING && d.state != SVC_PAUSED && d.state != SVC_STARTING)) continue;
    n++;
    if (d.state == SVC_PAUSED) sys.proc_pause(d.proc, 0);
    d.heldBy = x;
    d.events.add(EV_HELD, x);
    say("stopping " + d.spec.name + ": it requires " + services[x].spec.name + ", which is down");
    beginStop(d);
  }
  return n;
}

/** `x` runs again: start what was stopped for want of it. */
export function dependencyUp(x: i32): void {
  for (let i = 0; i < services.length; i++) {
    const d = services[i];
    if (d.heldBy != x || d.disabled) continue;
    if (d.state == SVC_STOPPING) continue; // still on its way down: it starts when its stop ends
    if (d.state != SVC_STOPPED) { d.heldBy = -1; continue; }
    const r = sys.proc_restart(d.proc);
    if (r < 0) { say("could not start " + d.spec.name + " again: " + errorName(r)); continue; }
    d.heldBy = -1;
    launched(d, EV_STARTED, x);
    say("started " + d.spec.name + " again: " + services[x].spec.name + " is back");
  }
}

/** `x` was restarted: restart what binds to it. */
export function restartBound(x: i32): void {
  for (let i = 0; i < services.length; i++) {
    const d = services[i];
    const k = requires(d, x);
    if (k < 0 || (d.spec.binds & (<u32>1 << <u32>k)) == 0 || d.state != SVC_RUNNING) continue;
    const r = sys.proc_restart(d.proc);
    if (r < 0) { say("could not restart " + d.spec.name + " with " + services[x].spec.name + ": " + errorName(r)); continue; }
    d.restarts++;
    launched(d, EV_BOUND_RESTART, x);
    say("restarted " + d.spec.name + " with " + services[x].spec.name + " (binds_to)");
  }
}
