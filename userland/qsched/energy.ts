// The energy model (docs/quantum.md: Energy): joules a job costs, from its
// gate counts and durations and its share of the cryostat. No scheduler we
// know of publishes an energy figure, so every constant below says where it
// comes from, or that it is an assumption of ours.
import { QS_RESET_NS } from "../lib";

/**
 * The dilution refrigerator's electrical draw, W: its pulse-tube compressor
 * dominates it. Assumption of the order of a pulse-tube compressor's input
 * (manufacturers rate the compressors of 4 K pulse tubes used with dilution
 * refrigerators at about 7 to 12.5 kW); not a measured figure of any device.
 */
export const CRYO_W: f64 = 10000;
/** Control electronics held for each qubit a job uses, W, all the time it holds them (assumption). */
export const CHANNEL_IDLE_W: f64 = 5;
/** A drive channel while it plays a pulse, W (arbitrary-waveform generator and upconversion; assumption). */
export const PULSE_W: f64 = 20;
/** A readout chain while it measures, W (amplifiers, digitiser; assumption). */
export const READOUT_W: f64 = 20;

/**
 * µJ of a job of `shots` shots, each `shotNs` long plus the reset time, on
 * `k` of the device's `deviceQubits` qubits; per shot, `pulseNs` of drive
 * pulses, `cxNs` of cx gates (each drives two channels) and `readNs` of
 * readout. The cryostat runs whatever the QPU does; a job is charged its
 * qubits' share of it for its wall time.
 */
export function energyMicroJ(shots: i32, shotNs: f64, k: i32, deviceQubits: i32, pulseNs: f64, cxNs: f64, readNs: f64): i64 {
  const wall = <f64>shots * (shotNs + <f64>QS_RESET_NS) * 1e-9; // s
  const cryo = CRYO_W * wall * (<f64>k / <f64>max(deviceQubits, 1));
  const held = CHANNEL_IDLE_W * <f64>k * wall;
  const active = <f64>shots * 1e-9 * (PULSE_W * (pulseNs + 2 * cxNs) + READOUT_W * readNs);
  return <i64>Math.round((cryo + held + active) * 1e6);
}
