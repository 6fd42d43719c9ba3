// The QPU device model: the statevector engine (hal/qpu/, docs/qpu.md) behind
// registers, DMA and an interrupt, pluggable like the block device. A command
// moves its input from the bound process's memory by DMA (hal/dma.ts: the
// kernel serves the request, kernel/dma.ts), runs, moves the counts back the
// same way, and raises the slot's line; QPU_STATUS says how it went and the
// engine's reason registers why a job was refused. Inputs longer than one
// request (DMA_MAX) move in several, one after another.
//
// Every handler takes the slot first; the bus calls them only for a slot
// holding a QPU. One engine serves every QPU plugged: its job buffer is
// filled by one command's DMA and read by the run in that DMA's completion,
// and the kernel serves requests in order, so commands never mix.
import {
  BUS_SLOT_COUNT, DMA_MAX, DMA_TO_DEVICE, DMA_FROM_DEVICE, E_ARG, E_NOSPACE, OK,
  QPU_CMD_RUN, QPU_CMD_CALIBRATE, QPU_IDLE, QPU_BUSY,
} from "../kernel/abi";
import { QPU_DEFAULT_QUBITS, QRES_ENTRY_BYTES, QRES_SHOT_BYTES, QRUN_MEMORY } from "./qpu/job-format";
import {
  qpuAllow, qpuJobBuffer, qpuCalibrationBuffer, qpuCalibrate, qpuRun, qpuResults, qpuReason, qpuReasonAt, qpuReasonA, qpuReasonB,
} from "./qpu/engine";
import { setFiller } from "./qpu/rng";
import { host_random_fill } from "./host";
import { dmaRequest, DMA_FOR_QPU } from "./dma";
import { slotId } from "./bus";
import { raise } from "./intc";

// Unseeded runs (QRUN_UNSEEDED) draw on the host's random source, as the
// entropy device does (hal/entropy.ts): the engine is given it here, so the
// engine alone (the unit tests) imports nothing from the host.
setFiller((ptr: usize, bytes: i32): void => { host_random_fill(<i32>ptr, bytes); });

// What a command is doing, per slot.
const PHASE_NONE = 0;
const PHASE_JOB_IN = 1; // reading the job
const PHASE_CAL_IN = 2; // reading a calibration table
const PHASE_COUNTS_OUT = 3; // writing the counts

const N = BUS_SLOT_COUNT;
const qubits = new StaticArray<i32>(N);
const jobAddr = new StaticArray<i32>(N);
const jobLen = new StaticArray<i32>(N);
const shots = new StaticArray<i32>(N);
const seedLo = new StaticArray<i32>(N);
const seedHi = new StaticArray<i32>(N);
const flags = new StaticArray<i32>(N);
const resAddr = new StaticArray<i32>(N);
const resLen = new StaticArray<i32>(N);
const calAddr = new StaticArray<i32>(N);
const calLen = new StaticArray<i32>(N);
const command = new StaticArray<i32>(N);
const status = new StaticArray<i32>(N);
const results = new StaticArray<i32>(N);
// The transfer under way: its phase, where in the HAL's memory, its whole length, how much has moved.
const phase = new StaticArray<i32>(N);
const local = new StaticArray<usize>(N);
const total = new StaticArray<i32>(N);
const moved = new StaticArray<i32>(N);

export function qpuReset(slot: i32): void {
  unchecked(qubits[slot] = QPU_DEFAULT_QUBITS);
  unchecked(jobAddr[slot] = 0); unchecked(jobLen[slot] = 0);
  unchecked(shots[slot] = 0); unchecked(seedLo[slot] = 0); unchecked(seedHi[slot] = 0); unchecked(flags[slot] = 0);
  unchecked(resAddr[slot] = 0); unchecked(resLen[slot] = 0);
  unchecked(calAddr[slot] = 0); unchecked(calLen[slot] = 0);
  unchecked(command[slot] = 0); unchecked(status[slot] = QPU_IDLE); unchecked(results[slot] = 0);
  unchecked(phase[slot] = PHASE_NONE);
}

/** The qubits slot `slot`'s QPU allows: a slot never used reads 0, which is the default. */
function allowed(slot: i32): i32 { const q = unchecked(qubits[slot]); return q == 0 ? QPU_DEFAULT_QUBITS : q; }

/** The command ends: its status, and the slot's line. */
function finish(slot: i32, s: i32): void {
  unchecked(phase[slot] = PHASE_NONE);
  unchecked(status[slot] = s);
  raise(1 << slot);
}

/** Move the next piece of the transfer under way (at most DMA_MAX bytes). */
function next(slot: i32): void {
  const done = unchecked(moved[slot]);
  const n = min(unchecked(total[slot]) - done, DMA_MAX);
  const p = unchecked(phase[slot]);
  const va = (p == PHASE_JOB_IN ? unchecked(jobAddr[slot]) : p == PHASE_CAL_IN ? unchecked(calAddr[slot]) : unchecked(resAddr[slot])) + done;
  const dir = p == PHASE_COUNTS_OUT ? DMA_FROM_DEVICE : DMA_TO_DEVICE;
  const r = dmaRequest(slotId(slot), dir, va, unchecked(local[slot]) + <usize>done, n, DMA_FOR_QPU, slot);
  if (r < 0) finish(slot, r);
}

function transfer(slot: i32, p: i32, at: usize, len: i32): void {
  unchecked(phase[slot] = p);
  unchecked(local[slot] = at);
  unchecked(total[slot] = len);
  unchecked(moved[slot] = 0);
  unchecked(status[slot] = QPU_BUSY);
  next(slot);
}

function run(slot: i32): void {
  unchecked(command[slot] = QPU_CMD_RUN);
  const len = unchecked(jobLen[slot]);
  const at = qpuJobBuffer(len);
  if (len <= 0 || at == 0) { unchecked(results[slot] = 0); finish(slot, E_ARG); return; }
  transfer(slot, PHASE_JOB_IN, at, len);
}

function calibrate(slot: i32): void {
  unchecked(command[slot] = QPU_CMD_CALIBRATE);
  const len = unchecked(calLen[slot]);
  if (len == 0) { finish(slot, qpuCalibrate(0)); return; }
  const at = qpuCalibrationBuffer(len);
  if (len < 0 || at == 0) { finish(slot, E_ARG); return; }
  transfer(slot, PHASE_CAL_IN, at, len);
}

/** The job is in: run it on this QPU's allowance, then write the counts out. */
function ran(slot: i32): void {
  qpuAllow(allowed(slot));
  const seed = (<i64><u32>unchecked(seedHi[slot]) << 32) | <i64><u32>unchecked(seedLo[slot]);
  const n = qpuRun(unchecked(total[slot]), unchecked(shots[slot]), seed, unchecked(flags[slot]));
  unchecked(results[slot] = max(n, 0));
  if (n < 0) { finish(slot, n); return; }
  const bytes = n * ((unchecked(flags[slot]) & QRUN_MEMORY) != 0 ? QRES_SHOT_BYTES : QRES_ENTRY_BYTES);
  if (bytes > unchecked(resLen[slot])) { finish(slot, E_NOSPACE); return; }
  if (bytes == 0) { finish(slot, 0); return; }
  transfer(slot, PHASE_COUNTS_OUT, qpuResults(), bytes);
}

/** The kernel's answer to one piece (hal/dma.ts): a piece of a device unplugged since is dropped. */
export function qpuDmaEnded(slot: i32, id: i32, result: i32): void {
  if (<u32>slot >= <u32>N || slotId(slot) != id || unchecked(phase[slot]) == PHASE_NONE) return;
  if (result < 0) { finish(slot, result); return; }
  unchecked(moved[slot] = unchecked(moved[slot]) + result);
  if (unchecked(moved[slot]) < unchecked(total[slot])) { next(slot); return; }
  const p = unchecked(phase[slot]);
  if (p == PHASE_JOB_IN) ran(slot);
  else if (p == PHASE_CAL_IN) finish(slot, qpuCalibrate(unchecked(total[slot])));
  else finish(slot, unchecked(results[slot]));
}

// Register handlers (abi/hal.ts routes each QPU_* register here through the bus).
export function qpuQubits(slot: i32): i32 { return allowed(slot); }
/** Checked as the engine checks it; the value stays what it was when refused. */
export function qpuSetQubits(slot: i32, v: i32): void {
  if (unchecked(phase[slot]) != PHASE_NONE) return;
  const r = qpuAllow(v);
  if (r == OK) unchecked(qubits[slot] = v);
  unchecked(status[slot] = r);
}
export function qpuJobAddr(slot: i32): i32 { return unchecked(jobAddr[slot]); }
export function qpuSetJobAddr(slot: i32, v: i32): void { unchecked(jobAddr[slot] = v); }
export function qpuJobLen(slot: i32): i32 { return unchecked(jobLen[slot]); }
export function qpuSetJobLen(slot: i32, v: i32): void { unchecked(jobLen[slot] = v); }
export function qpuShots(slot: i32): i32 { return unchecked(shots[slot]); }
export function qpuSetShots(slot: i32, v: i32): void { unchecked(shots[slot] = v); }
export function qpuSeedLo(slot: i32): i32 { return unchecked(seedLo[slot]); }
export function qpuSetSeedLo(slot: i32, v: i32): void { unchecked(seedLo[slot] = v); }
export function qpuSeedHi(slot: i32): i32 { return unchecked(seedHi[slot]); }
export function qpuSetSeedHi(slot: i32, v: i32): void { unchecked(seedHi[slot] = v); }
export function qpuFlags(slot: i32): i32 { return unchecked(flags[slot]); }
export function qpuSetFlags(slot: i32, v: i32): void { unchecked(flags[slot] = v); }
export function qpuResAddr(slot: i32): i32 { return unchecked(resAddr[slot]); }
export function qpuSetResAddr(slot: i32, v: i32): void { unchecked(resAddr[slot] = v); }
export function qpuResLen(slot: i32): i32 { return unchecked(resLen[slot]); }
export function qpuSetResLen(slot: i32, v: i32): void { unchecked(resLen[slot] = v); }
export function qpuCalAddr(slot: i32): i32 { return unchecked(calAddr[slot]); }
export function qpuSetCalAddr(slot: i32, v: i32): void { unchecked(calAddr[slot] = v); }
export function qpuCalLen(slot: i32): i32 { return unchecked(calLen[slot]); }
export function qpuSetCalLen(slot: i32, v: i32): void { unchecked(calLen[slot] = v); }
export function qpuCmd(slot: i32): i32 { return unchecked(command[slot]); }
/** A command while one is under way is ignored; an unknown one is E_ARG. */
export function qpuCommand(slot: i32, v: i32): void {
  if (unchecked(phase[slot]) != PHASE_NONE) return;
  if (v == QPU_CMD_RUN) run(slot);
  else if (v == QPU_CMD_CALIBRATE) calibrate(slot);
  else { unchecked(command[slot] = v); finish(slot, E_ARG); }
}
export function qpuStatus(slot: i32): i32 { return unchecked(status[slot]); }
export function qpuResultCount(slot: i32): i32 { return unchecked(results[slot]); }
export function qpuReasonNow(_slot: i32): i32 { return qpuReason(); }
export function qpuReasonAtNow(_slot: i32): i32 { return qpuReasonAt(); }
export function qpuReasonANow(_slot: i32): i32 { return <i32>qpuReasonA(); }
export function qpuReasonBNow(_slot: i32): i32 { return <i32>qpuReasonB(); }
