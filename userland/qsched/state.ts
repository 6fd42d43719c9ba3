// The scheduler's settings and readiness, shared by its request handlers and
// its runner: the policy and mixing an admin sets (TAG_QS_POLICY), whether a
// QPU is attached with its calibration read, and the timer that runs jobs.
import { sys, QS_POL_FIFO, qsPolicyName, qsMixName, QS_LOSS_DEFAULT_PPM } from "../lib";
import * as device from "./device";

export let policy = QS_POL_FIFO;
export let mix = 0;
export let lossPpm = QS_LOSS_DEFAULT_PPM;
export let changes = 0;
/** The attached QPU's calibration is still to be read (TAG_INIT_QPU). */
export let calPending = true;

export function setSettings(p: i32, m: i32, l: i32): void { policy = p; mix = m; lossPpm = l; changes++; }
export function setCalPending(v: bool): void { calPending = v; }

/** A QPU is attached and its calibration read. */
export function qpuReady(): bool { return device.row() >= 0 && !calPending; }

/** Run the timer now: a deadline now (0 would cancel it). */
export function wake(): void { sys.timer_set(sys.time()); }

/** The settings as the audit line says them. */
export function settingsText(p: i32, m: i32, l: i32): string {
  return "policy " + qsPolicyName(p) + ", mixing " + qsMixName(m) + ", loss " + l.toString() + " ppm";
}
