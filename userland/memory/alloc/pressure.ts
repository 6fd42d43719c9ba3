// Memory pressure: when free frames fall below a tenth of RAM, every client
// registered as reclaimable is asked (asynchronously) to release enough pages
// to bring free frames back to a fifth (the gap keeps the manager from asking
// again at every allocation near the line); what they release afterwards is
// counted and reported, and the pressure is over once a tenth is free again.
// It is looked at whenever the manager hands out or takes back pages (not for
// a chunk of an arena the client already has, which moves none).
import { sys, ST_FREE_FRAMES, ST_TOTAL_FRAMES, TAG_MEM_RECLAIM, MAX_PROCS } from "../../lib";
import { cReclaim, cPages } from "./clients";
import { say } from "./say";

let pressured = false;
let reclaimed = 0;

export function reclaimedPages(): i32 { return reclaimed; }

/** A reclaimable client released `pages`: count them if we asked. */
export function noteRelease(badge: i32, pages: i32): void {
  if (pressured && unchecked(cReclaim[badge]) >= 0) reclaimed += pages;
}

export function checkPressure(): void {
  const free = sys.stats(ST_FREE_FRAMES), total = sys.stats(ST_TOTAL_FRAMES);
  if (free * 10 >= total) {
    if (pressured) say("pressure over: " + free.toString() + " frames free; " + reclaimed.toString() + " pages came back");
    pressured = false;
    return;
  }
  if (pressured) return;
  pressured = true;
  reclaimed = 0;
  const want = total / 5 - free;
  let asked = 0;
  for (let p = 1; p < MAX_PROCS; p++) {
    const ep = unchecked(cReclaim[p]);
    if (ep < 0 || unchecked(cPages[p]) == 0) continue;
    if (sys.send(ep, TAG_MEM_RECLAIM, min(want, unchecked(cPages[p])), 0, 0, 0, 0, 0) == 0) asked++;
  }
  say("pressure: " + free.toString() + " of " + total.toString() + " frames free; asked " + asked.toString() +
    " clients for " + want.toString() + " pages");
}
