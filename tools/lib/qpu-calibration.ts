// QPU calibrations: read from Qiskit's fake-backend BackendProperties JSON
// (props_*.json, with or without the conf_*.json whose coupling_map gives the
// coupled pairs) or from our own TOML file (docs/qpu.md), and written as the
// binary calibration table the engine reads (layout in abi/qpu.ts). Every
// error names the file and what is wrong in it.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { parseToml, toPlain, TomlError } from "./toml";
import * as c from "../../hal/qpu/calibration-format";

export type GateName = "id" | "rz" | "sx" | "x" | "cx" | "reset";

export interface QubitFigures {
  t1Ns: number; // +Infinity when not given
  t2Ns: number;
  prob1Given0: number; // prob_meas1_prep0
  prob0Given1: number; // prob_meas0_prep1
  readoutNs: number;
}

export interface GateFigures {
  gate: GateName;
  qubits: number[];
  error: number;
  lengthNs: number;
}

export interface Calibration {
  /** Where the figures come from, as the file says (a published device). */
  source: string;
  qubits: QubitFigures[];
  gates: GateFigures[];
}

export class CalibrationError extends Error {
  override name = "CalibrationError";
}

const GATE_KINDS: Record<GateName, number> = {
  id: c.QCAL_GATE_ID, rz: c.QCAL_GATE_RZ, sx: c.QCAL_GATE_SX, x: c.QCAL_GATE_X, cx: c.QCAL_GATE_CX, reset: c.QCAL_GATE_RESET,
};
export const BASIS: readonly GateName[] = ["id", "rz", "sx", "x", "cx", "reset"];

/** A calibration file: our TOML, or a Qiskit props_*.json with an optional conf_*.json for the coupling map. */
export function readCalibration(path: string, confPath?: string): Calibration {
  const name = basename(path);
  const text = readText(path);
  if (path.endsWith(".toml")) {
    if (confPath) throw new CalibrationError(`${name}: a coupling map comes with a props_*.json; our calibration file lists its cx pairs itself`);
    return parseCalibrationToml(text, name);
  }
  const conf = confPath ? parseJson(readText(confPath), basename(confPath)) : undefined;
  return parseBackendProperties(parseJson(text, name), name, conf, confPath ? basename(confPath) : undefined);
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new CalibrationError(`${basename(path)}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CalibrationError(`${file}: not JSON (${(e as Error).message})`);
  }
}

// ---------------------------------------------------------------- Qiskit's BackendProperties

// Aer's conversions (qiskit_aer/noise/device/parameters.py): times to ns.
const NS: Record<string, number> = { s: 1e9, ms: 1e6, "µs": 1e3, us: 1e3, ns: 1 };

interface Nduv { name?: unknown; unit?: unknown; value?: unknown }

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The value of the named parameter in a list of {name, unit, value}, times converted to ns; undefined if absent. */
function param(list: Nduv[], key: string, where: string, time: boolean): number | undefined {
  const p = list.find((x) => x.name === key);
  if (!p) return undefined;
  if (typeof p.value !== "number" || !Number.isFinite(p.value)) throw new CalibrationError(`${where}: ${key} is ${JSON.stringify(p.value)}, not a number`);
  if (!time) return p.value;
  const unit = typeof p.unit === "string" ? p.unit : "ns";
  const scale = NS[unit];
  if (scale === undefined) throw new CalibrationError(`${where}: ${key} is in "${unit}", not one of ${Object.keys(NS).join(", ")}`);
  return p.value * scale;
}

/**
 * props_*.json as Qiskit's fake backends ship it: qubits[q] a list of
 * {name, unit, value} (T1, T2, readout_error, prob_meas0_prep1,
 * prob_meas1_prep0, readout_length); gates[] with gate, qubits and
 * parameters gate_error and gate_length. Gates outside the basis (ecr, u3,
 * measure ...) are skipped. The coupled pairs are conf's coupling_map when
 * given, else the cx gates listed.
 */
export function parseBackendProperties(props: unknown, file: string, conf?: unknown, confFile = "conf"): Calibration {
  if (!isObject(props) || !Array.isArray(props.qubits) || !Array.isArray(props.gates)) {
    throw new CalibrationError(`${file}: not a BackendProperties file (no qubits and gates lists)`);
  }
  const qubits = props.qubits.map((q, i) => propsQubit(q, `${file}: qubits[${i}]`));
  if (qubits.length === 0) throw new CalibrationError(`${file}: no qubits`);
  const gates: GateFigures[] = [];
  props.gates.forEach((g, i) => {
    const where = `${file}: gates[${i}]`;
    if (!isObject(g) || typeof g.gate !== "string" || !Array.isArray(g.qubits) || !Array.isArray(g.parameters)) throw new CalibrationError(`${where}: not a gate (gate, qubits, parameters)`);
    if (!(BASIS as readonly string[]).includes(g.gate)) return;
    const params = g.parameters as Nduv[];
    gates.push({
      gate: g.gate as GateName, qubits: g.qubits as number[],
      error: param(params, "gate_error", `${where} (${g.gate})`, false) ?? 0,
      lengthNs: param(params, "gate_length", `${where} (${g.gate})`, true) ?? 0,
    });
  });
  if (!gates.some((g) => g.gate === "cx") && props.gates.some((g) => isObject(g) && (g.gate === "ecr" || g.gate === "cz"))) {
    throw new CalibrationError(`${file}: the device's two-qubit gate is not cx; this QPU's basis is rz, sx, x and cx`);
  }
  const coupled = conf === undefined ? gates : withCouplingMap(gates, conf, confFile);
  const source = typeof props.backend_name === "string"
    ? `${props.backend_name}${typeof props.last_update_date === "string" ? `, calibrated ${props.last_update_date}` : ""} (${file})`
    : file;
  return check({ source, qubits, gates: coupled }, file);
}

function propsQubit(q: unknown, where: string): QubitFigures {
  if (!Array.isArray(q)) throw new CalibrationError(`${where}: not a list of {name, unit, value}`);
  const list = q as Nduv[];
  const ro = param(list, "readout_error", where, false);
  const p10 = param(list, "prob_meas1_prep0", where, false);
  const p01 = param(list, "prob_meas0_prep1", where, false);
  // Aer's readout_error_values: both probabilities when given, else readout_error for each.
  const both = p10 !== undefined && p01 !== undefined;
  return {
    t1Ns: param(list, "T1", where, true) ?? Infinity,
    t2Ns: param(list, "T2", where, true) ?? Infinity,
    prob1Given0: both ? p10 : ro ?? 0,
    prob0Given1: both ? p01 : ro ?? 0,
    readoutNs: param(list, "readout_length", where, true) ?? 0,
  };
}

/** The cx gates of the coupling map: a pair the properties do not calibrate is coupled without noise figures. */
function withCouplingMap(gates: GateFigures[], conf: unknown, file: string): GateFigures[] {
  if (!isObject(conf) || !Array.isArray(conf.coupling_map)) throw new CalibrationError(`${file}: no coupling_map list`);
  const pairs = conf.coupling_map.map((p, i) => {
    if (!Array.isArray(p) || p.length !== 2 || !p.every((x) => Number.isInteger(x))) throw new CalibrationError(`${file}: coupling_map[${i}] is not a pair of qubits`);
    return p as [number, number];
  });
  const listed = (a: number, b: number): GateFigures | undefined => gates.find((g) => g.gate === "cx" && g.qubits[0] === a && g.qubits[1] === b);
  return [
    ...gates.filter((g) => g.gate !== "cx"),
    ...pairs.map(([a, b]) => listed(a, b) ?? { gate: "cx" as const, qubits: [a, b], error: 0, lengthNs: 0 }),
  ];
}

// ---------------------------------------------------------------- our calibration file

const QUBIT_KEYS = ["t1_us", "t2_us", "prob_meas1_prep0", "prob_meas0_prep1", "readout_error", "readout_length_ns"];
const GATE_KEYS = ["gate", "qubits", "gate_error", "gate_length_ns"];

/** Our TOML calibration file (docs/qpu.md): source, [[qubit]] and [[gate]] tables. */
export function parseCalibrationToml(text: string, file: string): Calibration {
  let doc: Record<string, unknown>;
  try {
    doc = toPlain(parseToml(text)) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof TomlError) throw new CalibrationError(`${file}:${e.line}:${e.column}: ${e.message}`);
    throw e;
  }
  const unknown = Object.keys(doc).find((k) => !["source", "qubit", "gate"].includes(k));
  if (unknown) throw new CalibrationError(`${file}: unknown key ${unknown} (source, [[qubit]], [[gate]])`);
  if (typeof doc.source !== "string" || doc.source === "") throw new CalibrationError(`${file}: source = "..." must say where the figures come from`);
  if (!Array.isArray(doc.qubit) || doc.qubit.length === 0) throw new CalibrationError(`${file}: no [[qubit]] tables`);
  const qubits = doc.qubit.map((q: Record<string, unknown>, i: number) => tomlQubit(q, `${file}: qubit ${i}`));
  const gates = (Array.isArray(doc.gate) ? doc.gate : []).map((g: Record<string, unknown>, i: number) => tomlGate(g, `${file}: gate ${i}`));
  return check({ source: doc.source, qubits, gates }, file);
}

function known(t: Record<string, unknown>, keys: string[], where: string): void {
  const bad = Object.keys(t).find((k) => !keys.includes(k));
  if (bad) throw new CalibrationError(`${where}: unknown key ${bad} (${keys.join(", ")})`);
}

function num(t: Record<string, unknown>, key: string, where: string, fallback?: number): number {
  const v = t[key];
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== "number") throw new CalibrationError(`${where}: ${key} must be a number`);
  return v;
}

function tomlQubit(q: Record<string, unknown>, where: string): QubitFigures {
  known(q, QUBIT_KEYS, where);
  const ro = num(q, "readout_error", where, -1);
  const either = (key: string): number => (q[key] === undefined && ro >= 0 ? ro : num(q, key, where, 0));
  return {
    t1Ns: num(q, "t1_us", where, Infinity) * 1e3,
    t2Ns: num(q, "t2_us", where, Infinity) * 1e3,
    prob1Given0: either("prob_meas1_prep0"),
    prob0Given1: either("prob_meas0_prep1"),
    readoutNs: num(q, "readout_length_ns", where, 0),
  };
}

function tomlGate(g: Record<string, unknown>, where: string): GateFigures {
  known(g, GATE_KEYS, where);
  if (typeof g.gate !== "string" || !(BASIS as readonly string[]).includes(g.gate)) throw new CalibrationError(`${where}: gate must be one of ${BASIS.join(", ")}`);
  if (!Array.isArray(g.qubits)) throw new CalibrationError(`${where}: qubits must be a list`);
  return { gate: g.gate as GateName, qubits: g.qubits as number[], error: num(g, "gate_error", where, 0), lengthNs: num(g, "gate_length_ns", where, 0) };
}

// ---------------------------------------------------------------- checks and the table

/** Every figure in range and every gate on qubits the file has, each gate once: as the engine will check, but naming the file. */
function check(cal: Calibration, file: string): Calibration {
  if (cal.qubits.length > c.QCAL_MAX_QUBITS) throw new CalibrationError(`${file}: ${cal.qubits.length} qubits; a calibration holds at most ${c.QCAL_MAX_QUBITS}`);
  if (cal.gates.length > c.QCAL_MAX_GATES) throw new CalibrationError(`${file}: ${cal.gates.length} gates; a calibration holds at most ${c.QCAL_MAX_GATES}`);
  cal.qubits.forEach((q, i) => {
    const where = `${file}: qubit ${i}`;
    if (!(q.t1Ns > 0)) throw new CalibrationError(`${where}: T1 is ${q.t1Ns / 1e3} µs; it must be > 0`);
    if (!(q.t2Ns > 0)) throw new CalibrationError(`${where}: T2 is ${q.t2Ns / 1e3} µs; it must be > 0`);
    for (const [k, v] of [["prob_meas1_prep0", q.prob1Given0], ["prob_meas0_prep1", q.prob0Given1]] as const) {
      if (!(v >= 0 && v <= 1)) throw new CalibrationError(`${where}: ${k} is ${v}; a probability is 0 to 1`);
    }
    if (!(q.readoutNs >= 0 && Number.isFinite(q.readoutNs))) throw new CalibrationError(`${where}: readout length ${q.readoutNs} ns`);
  });
  const seen = new Set<string>();
  cal.gates.forEach((g, i) => {
    const where = `${file}: gate ${i} (${g.gate} ${g.qubits.join(",")})`;
    const arity = g.gate === "cx" ? 2 : 1;
    if (g.qubits.length !== arity || !g.qubits.every((q) => Number.isInteger(q) && q >= 0)) throw new CalibrationError(`${where}: ${g.gate} takes ${arity} qubit${arity > 1 ? "s" : ""}`);
    const out = g.qubits.find((q) => q >= cal.qubits.length);
    if (out !== undefined) throw new CalibrationError(`${where}: qubit ${out} is not below the file's ${cal.qubits.length} qubits`);
    if (arity === 2 && g.qubits[0] === g.qubits[1]) throw new CalibrationError(`${where}: a cx on one qubit`);
    if (!(g.error >= 0 && g.error <= 1)) throw new CalibrationError(`${where}: gate error ${g.error}; it is 0 to 1`);
    if (!(g.lengthNs >= 0 && Number.isFinite(g.lengthNs))) throw new CalibrationError(`${where}: gate length ${g.lengthNs} ns`);
    const key = `${g.gate} ${g.qubits.join(",")}`;
    if (seen.has(key)) throw new CalibrationError(`${where}: listed twice`);
    seen.add(key);
  });
  return cal;
}

/** The binary calibration table the engine reads (abi/qpu.ts). */
export function encodeCalibration(cal: Calibration): Uint8Array {
  const bytes = c.QCAL_HEADER_BYTES + cal.qubits.length * c.QCAL_QUBIT_BYTES + cal.gates.length * c.QCAL_GATE_BYTES;
  const v = new DataView(new ArrayBuffer(bytes));
  v.setUint32(c.QCAL_HDR_MAGIC, c.QCAL_MAGIC, true);
  v.setUint32(c.QCAL_HDR_VERSION, c.QCAL_VERSION, true);
  v.setUint32(c.QCAL_HDR_QUBITS, cal.qubits.length, true);
  v.setUint32(c.QCAL_HDR_GATES, cal.gates.length, true);
  v.setUint32(c.QCAL_HDR_BYTES, bytes, true);
  cal.qubits.forEach((q, i) => {
    const o = c.QCAL_HEADER_BYTES + i * c.QCAL_QUBIT_BYTES;
    v.setFloat64(o + c.QCAL_Q_T1, q.t1Ns, true);
    v.setFloat64(o + c.QCAL_Q_T2, q.t2Ns, true);
    v.setFloat64(o + c.QCAL_Q_P10, q.prob1Given0, true);
    v.setFloat64(o + c.QCAL_Q_P01, q.prob0Given1, true);
    v.setFloat64(o + c.QCAL_Q_READOUT_NS, q.readoutNs, true);
  });
  const gatesAt = c.QCAL_HEADER_BYTES + cal.qubits.length * c.QCAL_QUBIT_BYTES;
  cal.gates.forEach((g, i) => {
    const o = gatesAt + i * c.QCAL_GATE_BYTES;
    v.setUint32(o + c.QCAL_G_KIND, GATE_KINDS[g.gate], true);
    v.setUint32(o + c.QCAL_G_Q0, g.qubits[0], true);
    v.setUint32(o + c.QCAL_G_Q1, g.qubits.length > 1 ? g.qubits[1] : c.QCAL_NONE, true);
    v.setFloat64(o + c.QCAL_G_ERROR, g.error, true);
    v.setFloat64(o + c.QCAL_G_LENGTH_NS, g.lengthNs, true);
  });
  return new Uint8Array(v.buffer);
}
