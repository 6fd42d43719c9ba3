// Dependencies at run time: when a required dependency goes down for good
// (stopped, disabled, or given up on), the services that require it are
// stopped and remember why; when it is back they start again. A service that
// binds_to a dependency is restarted whenever that dependency is restarted.
import { sys, EV_HELD, EV_STARTED, EV_BOUND_RESTART } from "../lib";
import { Service } from "./bootinfo";
import { ST_RUNNING, ST_PAUSED, ST_STOPPED, ST_STOPPING, ST_STARTING, launched } from "./start";
import { beginStop } from "./supervisor";
import { say } from "./say";

function requires(d: Service, x: i32): i32 {
  for (let k = 0; k < d.deps.length; k++) if (d.deps[k] == x) return k;
  return -1;
}

/** `x` is down for good: stop what requires it; how many were stopped. */
export function dependencyDown(svcs: Service[], x: i32): i32 {
  let n = 0;
  for (let i = 0; i < svcs.length; i++) {
    const d = svcs[i];
    if (requires(d, x) < 0 || (d.state != ST_RUNNING && d.state != ST_PAUSED && d.state != ST_STARTING)) continue;
    n++;
    if (d.state == ST_PAUSED) sys.proc_pause(d.proc, 0);
    d.heldBy = x;
    d.events.add(EV_HELD, x);
    say("stopping " + d.name + ": it requires " + svcs[x].name + ", which is down");
    beginStop(svcs, d);
  }
  return n;
}

/** `x` runs again: start what was stopped for want of it. */
export function dependencyUp(svcs: Service[], x: i32): void {
  for (let i = 0; i < svcs.length; i++) {
    const d = svcs[i];
    if (d.heldBy != x || d.disabled) continue;
    if (d.state == ST_STOPPING) continue; // still on its way down: it starts when its stop ends
    if (d.state != ST_STOPPED) { d.heldBy = -1; continue; }
    const r = sys.proc_restart(d.proc);
    if (r < 0) { say("could not start " + d.name + " again: error " + r.toString()); continue; }
    d.heldBy = -1;
    launched(svcs, d, EV_STARTED, x);
    say("started " + d.name + " again: " + svcs[x].name + " is back");
  }
}

/** `x` was restarted: restart what binds to it. */
export function restartBound(svcs: Service[], x: i32): void {
  for (let i = 0; i < svcs.length; i++) {
    const d = svcs[i];
    const k = requires(d, x);
    if (k < 0 || (d.binds & (<u32>1 << <u32>k)) == 0 || d.state != ST_RUNNING) continue;
    const r = sys.proc_restart(d.proc);
    if (r < 0) { say("could not restart " + d.name + " with " + svcs[x].name + ": error " + r.toString()); continue; }
    d.restarts++;
    launched(svcs, d, EV_BOUND_RESTART, x);
    say("restarted " + d.name + " with " + svcs[x].name + " (binds_to)");
  }
}
