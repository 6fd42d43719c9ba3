// `quark inspect`'s view of an image's QPU (the manifest's [qpu]): the qubits
// it allows, where its calibration came from, and the figures of the table
// the image carries in its boot table, decoded from the bytes the QPU's
// driver hands the device (abi/qpu.ts's layout), so what is shown is what the
// QPU runs with.
import * as c from "../../hal/qpu/calibration-format";
import type { BootTable } from "./boot-table";

export interface InspectQpu {
  qubits: number;
  /** As the manifest wrote it: "ideal" or the calibration's path, relative to the manifest. */
  calibration: string;
  conf: string | null;
  /** Where the figures come from, as the calibration file says. */
  source: string;
  /** Bytes of the encoded table in the boot table (0: ideal). */
  tableBytes: number;
  /** Per qubit of the device: T1 and T2 in µs (null: not given), readout error (the mean of both directions) and both directions. */
  qubitFigures: { qubit: number; t1Us: number | null; t2Us: number | null; readoutError: number; prob1Given0: number; prob0Given1: number }[];
  /** The coupled pairs (cx gates) with their gate error and length. */
  pairs: { control: number; target: number; error: number; lengthNs: number }[];
  /** One-qubit gates' errors per qubit (sx, x), as calibrated. */
  gates: { gate: string; qubit: number; error: number; lengthNs: number }[];
}

const GATE_NAMES: Record<number, string> = {
  [c.QCAL_GATE_ID]: "id", [c.QCAL_GATE_RZ]: "rz", [c.QCAL_GATE_SX]: "sx", [c.QCAL_GATE_X]: "x", [c.QCAL_GATE_CX]: "cx", [c.QCAL_GATE_RESET]: "reset",
};

/** The QPU of an image, from its manifest and decoded boot table; null when it has none. */
export function inspectQpu(manifest: unknown, boot: BootTable | null): InspectQpu | null {
  const q = (manifest as { qpu?: { qubits?: unknown; calibration?: unknown; conf?: unknown; source?: unknown } } | null)?.qpu;
  if (!boot?.qpu && !q) return null;
  const table = boot?.qpu?.calibration ?? new Uint8Array(0);
  const decoded = table.length > 0 ? decodeCalibration(table) : { qubits: [], gates: [] };
  return {
    qubits: boot?.qpu?.qubits ?? Number(q?.qubits ?? 0),
    calibration: String(q?.calibration ?? (table.length > 0 ? "?" : "ideal")),
    conf: typeof q?.conf === "string" ? q.conf : null,
    source: String(q?.source ?? (table.length > 0 ? "?" : "ideal")),
    tableBytes: table.length,
    qubitFigures: decoded.qubits,
    pairs: decoded.gates.filter((g) => g.gate === "cx").map((g) => ({ control: g.q0, target: g.q1, error: g.error, lengthNs: g.lengthNs })),
    gates: decoded.gates.filter((g) => g.gate !== "cx").map((g) => ({ gate: g.gate, qubit: g.q0, error: g.error, lengthNs: g.lengthNs })),
  };
}

/** A calibration table as the QPU reads it; a table that breaks its own header is refused. */
export function decodeCalibration(bytes: Uint8Array) {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < c.QCAL_HEADER_BYTES || v.getUint32(c.QCAL_HDR_MAGIC, true) !== c.QCAL_MAGIC) throw new Error("the QPU's calibration table has no QCL1 header");
  const nq = v.getUint32(c.QCAL_HDR_QUBITS, true), ng = v.getUint32(c.QCAL_HDR_GATES, true);
  const gatesAt = c.QCAL_HEADER_BYTES + nq * c.QCAL_QUBIT_BYTES;
  if (gatesAt + ng * c.QCAL_GATE_BYTES > bytes.length) throw new Error(`the QPU's calibration table is ${bytes.length} bytes; its header counts more`);
  const us = (ns: number): number | null => (Number.isFinite(ns) ? ns / 1000 : null);
  const qubits = Array.from({ length: nq }, (_, i) => {
    const o = c.QCAL_HEADER_BYTES + i * c.QCAL_QUBIT_BYTES;
    const p10 = v.getFloat64(o + c.QCAL_Q_P10, true), p01 = v.getFloat64(o + c.QCAL_Q_P01, true);
    return { qubit: i, t1Us: us(v.getFloat64(o + c.QCAL_Q_T1, true)), t2Us: us(v.getFloat64(o + c.QCAL_Q_T2, true)), readoutError: (p10 + p01) / 2, prob1Given0: p10, prob0Given1: p01 };
  });
  const gates = Array.from({ length: ng }, (_, i) => {
    const o = gatesAt + i * c.QCAL_GATE_BYTES;
    return {
      gate: GATE_NAMES[v.getUint32(o + c.QCAL_G_KIND, true)] ?? "?", q0: v.getUint32(o + c.QCAL_G_Q0, true), q1: v.getUint32(o + c.QCAL_G_Q1, true),
      error: v.getFloat64(o + c.QCAL_G_ERROR, true), lengthNs: v.getFloat64(o + c.QCAL_G_LENGTH_NS, true),
    };
  });
  return { qubits, gates };
}

/** The text form: a summary line, then the qubits and the coupled pairs as tables. */
export function qpuLines(q: InspectQpu | null, table: (header: string[], rows: string[][], right: Set<number>) => string[]): string[] {
  if (!q) return ["qpu: none (the manifest has no [qpu])"];
  if (q.tableBytes === 0) return [`qpu: ${q.qubits} qubits, ideal (no noise, every pair coupled)`];
  const lines = [
    `qpu: ${q.qubits} qubits of a ${q.qubitFigures.length}-qubit device, calibration ${q.calibration}${q.conf ? ` with ${q.conf}` : ""} (${q.tableBytes} bytes)`,
    `  source: ${q.source}`,
  ];
  const num = (x: number | null, d: number): string => (x === null ? "-" : x.toFixed(d));
  const sx = (i: number): string => { const g = q.gates.find((x) => x.gate === "sx" && x.qubit === i); return g ? g.error.toExponential(2) : "-"; };
  lines.push(...table(["qubit", "T1 µs", "T2 µs", "readout error", "P(1|0)", "P(0|1)", "sx error"],
    q.qubitFigures.map((f) => [String(f.qubit), num(f.t1Us, 1), num(f.t2Us, 1), f.readoutError.toFixed(4), f.prob1Given0.toFixed(4), f.prob0Given1.toFixed(4), sx(f.qubit)]),
    new Set([0, 1, 2, 3, 4, 5])));
  lines.push(`  coupled pairs (cx): ${q.pairs.length}`);
  lines.push(...table(["pair", "cx error", "length ns"],
    q.pairs.map((p) => [`${p.control}-${p.target}`, p.error.toExponential(3), p.lengthNs.toFixed(0)]), new Set([1, 2])));
  return lines;
}
