// Supervision groups (OTP's strategies): when a member is restarted after a
// failure, one-for-all restarts every other member too, rest-for-one the
// members after it in the group's order, one-for-one nobody else.
import { sys, GROUP_ONE_FOR_ALL, GROUP_REST_FOR_ONE, EV_GROUP_RESTART, SVC_RUNNING } from "../lib";
import { errorName } from "../lib/names";
import { Service, services } from "./service";
import { launched } from "./start";
import { say } from "./say";

@inline function groupOf(s: Service): u32 { return s.spec.group & 0xffff; }
@inline function strategyOf(s: Service): u32 { return (s.spec.group >> 16) & 0xff; }
@inline function positionOf(s: Service): u32 { return s.spec.group >> 24; }

/** Member `x` was restarted after a failure: apply its group's strategy. */
export function restartGroup(x: i32): void {
  const s = services[x];
  const g = groupOf(s), strategy = strategyOf(s);
  if (g == 0 || (strategy != GROUP_ONE_FOR_ALL && strategy != GROUP_REST_FOR_ONE)) return;
  for (let i = 0; i < services.length; i++) {
    const m = services[i];
    if (i == x || groupOf(m) != g || m.state != SVC_RUNNING) continue;
    if (strategy == GROUP_REST_FOR_ONE && positionOf(m) <= positionOf(s)) continue;
    const r = sys.proc_restart(m.proc);
    if (r < 0) { say("could not restart " + m.spec.name + " with " + s.spec.name + " (its group): " + errorName(r)); continue; }
    m.restarts++;
    launched(m, EV_GROUP_RESTART, x);
    say("restarted " + m.spec.name + " with " + s.spec.name + " (" + (strategy == GROUP_ONE_FOR_ALL ? "one-for-all" : "rest-for-one") + ")");
  }
}
