// The devices the image has from the start (its manifest's [qpu]): the build
// writes a GRANT_PLUG record of the device's type among the devmgr's grants,
// read with the drivers' rules (drivers.ts, TAG_INIT_CAPS), and the devmgr
// plugs each at its first start, after the rules are known, so the driver
// rules bind it as they bind a hot-plugged device and the bus's log has its
// plug event. A restarted devmgr plugs nothing (the device is on the bus
// still, or was unplugged on purpose), and neither does one stopped and started
// again while a device of that type is present.
import { log } from "../lib";
import { presentMatch } from "./events";

const MAX = 4;
const types = new StaticArray<i32>(MAX);
let count = 0;
let done = false;

/** Forget what an earlier, unfinished read of the rules noted. */
export function clearBootPlugs(): void { count = 0; }

/** A GRANT_PLUG record: plug a device of `type` at the first start. */
export function noteBootPlug(type: i32): void {
  if (count < MAX) { unchecked(types[count] = type); count++; }
}

/** Plug each noted device once, unless this start is a restart or one of its type is on the bus already. */
export function plugAtBoot(restarted: bool, plug: (type: i32) => i32): void {
  if (done) return;
  done = true;
  if (restarted) return;
  for (let k = 0; k < count; k++) {
    const type = unchecked(types[k]);
    if (presentMatch(type, 0) >= 0) continue;
    const s = plug(type);
    if (s < 0) log("could not plug the image's device of type " + type.toString() + ": error " + s.toString());
  }
}
