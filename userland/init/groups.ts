// Supervision groups (OTP's strategies): when a member is restarted after a
// failure, one-for-all restarts every other member too, rest-for-one the
// members after it in the group's order, one-for-one nobody else.
import { sys, GROUP_ONE_FOR_ALL, GROUP_REST_FOR_ONE, EV_GROUP_RESTART } from "../lib";
import { Service } from "./bootinfo";
import { ST_RUNNING, launched } from "./start";
import { say } from "./say";

@inline function groupOf(s: Service): u32 { return s.group & 0xffff; }
@inline function strategyOf(s: Service): u32 { return (s.group >> 16) & 0xff; }
@inline function positionOf(s: Service): u32 { return s.group >> 24; }

/** Member `x` was restarted after a failure: apply its group's strategy. */
export function restartGroup(svcs: Service[], x: i32): void {
  const s = svcs[x];
  const g = groupOf(s), strategy = strategyOf(s);
  if (g == 0 || (strategy != GROUP_ONE_FOR_ALL && strategy != GROUP_REST_FOR_ONE)) return;
  for (let i = 0; i < svcs.length; i++) {
    const m = svcs[i];
    if (i == x || groupOf(m) != g || m.state != ST_RUNNING) continue;
    if (strategy == GROUP_REST_FOR_ONE && positionOf(m) <= positionOf(s)) continue;
    const r = sys.proc_restart(m.proc);
    if (r < 0) { say("could not restart " + m.name + " with " + s.name + " (its group): error " + r.toString()); continue; }
    m.restarts++;
    launched(svcs, m, EV_GROUP_RESTART, x);
    say("restarted " + m.name + " with " + s.name + " (" + (strategy == GROUP_ONE_FOR_ALL ? "one-for-all" : "rest-for-one") + ")");
  }
}
