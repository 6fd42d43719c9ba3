// QPU jobs as objects, for the tools and tests: encodeJob writes the job
// format of docs/qpu.md (constants from abi/qpu.ts), decodeJob reads one back.
// decodeJob checks the structure only (lengths, known ops); the engine checks
// every rule before it runs a job, so the tests can hand it broken jobs built
// here or by hand.
import * as f from "../../hal/qpu/job-format";
import { QPU_REASON_TEXTS } from "./qpu-reasons";

/** A 2×2 complex matrix row-major as (re, im) pairs: m00, m01, m10, m11. */
export type Matrix = [number, number, number, number, number, number, number, number];

export type Instruction =
  | { op: "u"; q: number; theta: number; phi: number; lambda: number }
  | { op: "cx"; c: number; t: number }
  | { op: "measure"; q: number; clbit: number }
  | { op: "reset"; q: number }
  | { op: "barrier"; qubits: number[] }
  | { op: "if"; start: number; width: number; value: bigint }
  | { op: "gphase"; theta: number }
  | { op: "mcu"; controls: number[]; t: number; m: Matrix }
  | { op: "creg"; start: number; width: number; name: string };

export interface Job {
  qubits: number;
  clbits: number;
  instructions: Instruction[];
}

const utf8 = new TextEncoder();

/** The instruction's words after its first one. */
function operands(i: Instruction): Array<number | { f64: number }> {
  switch (i.op) {
    case "u": return [i.q, { f64: i.theta }, { f64: i.phi }, { f64: i.lambda }];
    case "cx": return [i.c, i.t];
    case "measure": return [i.q, i.clbit];
    case "reset": return [i.q];
    case "barrier": return [i.qubits.length, ...i.qubits];
    case "if": return [i.start, i.width, Number(i.value & 0xffffffffn), Number((i.value >> 32n) & 0xffffffffn)];
    case "gphase": return [{ f64: i.theta }];
    case "mcu": return [i.controls.length, ...i.controls, i.t, ...i.m.map((v) => ({ f64: v }))];
    case "creg": {
      const name = utf8.encode(i.name);
      const padded = new Uint8Array(Math.ceil(name.length / 4) * 4);
      padded.set(name);
      const words = new Uint32Array(padded.buffer);
      return [i.start, i.width, name.length, ...words];
    }
  }
}

const OPS: Record<Instruction["op"], number> = {
  u: f.QOP_U, cx: f.QOP_CX, measure: f.QOP_MEASURE, reset: f.QOP_RESET, barrier: f.QOP_BARRIER,
  if: f.QOP_IF, gphase: f.QOP_GPHASE, mcu: f.QOP_MCU, creg: f.QOP_CREG,
};

/** The job's bytes, as the parser writes them. */
export function encodeJob(job: Job): Uint8Array {
  const words: Array<number | { f64: number }> = [];
  for (const i of job.instructions) {
    const ops = operands(i);
    const len = 1 + ops.reduce<number>((n, o) => n + (typeof o === "number" ? 1 : 2), 0);
    words.push((OPS[i.op] | (len << f.QOP_WORDS_SHIFT)) >>> 0, ...ops);
  }
  const body = words.reduce<number>((n, o) => n + (typeof o === "number" ? 1 : 2), 0);
  const bytes = (f.QJOB_HEADER_WORDS + body) * 4;
  const view = new DataView(new ArrayBuffer(bytes));
  const head = [f.QJOB_MAGIC, f.QJOB_VERSION, job.qubits, job.clbits, job.instructions.length, bytes, 0, 0];
  head.forEach((w, k) => view.setUint32(k * 4, w >>> 0, true));
  let at = f.QJOB_HEADER_WORDS * 4;
  for (const w of words) {
    if (typeof w === "number") { view.setUint32(at, w >>> 0, true); at += 4; }
    else { view.setFloat64(at, w.f64, true); at += 8; }
  }
  return new Uint8Array(view.buffer);
}

/** A job's instructions back as objects; a structural fault throws naming the instruction. */
export function decodeJob(bytes: Uint8Array): Job {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (why: string): never => { throw new Error(`QPU job: ${why}`); };
  if (bytes.length < f.QJOB_HEADER_WORDS * 4 || bytes.length % 4 !== 0) fail(`${bytes.length} bytes is no job`);
  const word = (k: number): number => view.getUint32(k * 4, true);
  if (word(f.QJOB_HDR_MAGIC) !== f.QJOB_MAGIC) fail("bad magic");
  const job: Job = { qubits: word(f.QJOB_HDR_QUBITS), clbits: word(f.QJOB_HDR_CLBITS), instructions: [] };
  let at = f.QJOB_HEADER_WORDS;
  const end = bytes.length / 4;
  for (let n = 0; n < word(f.QJOB_HDR_COUNT); n++) {
    if (at >= end) fail(`instruction ${n} lies past the end`);
    const len = word(at) >>> f.QOP_WORDS_SHIFT;
    if (len < 1 || at + len > end) fail(`instruction ${n} has length ${len}`);
    job.instructions.push(decodeOne(view, at, word(at) & f.QOP_MASK, len, n, fail));
    at += len;
  }
  return job;
}

function decodeOne(view: DataView, at: number, op: number, len: number, n: number, fail: (why: string) => never): Instruction {
  const w = (k: number): number => view.getUint32((at + k) * 4, true);
  const d = (k: number): number => view.getFloat64((at + k) * 4, true);
  switch (op) {
    case f.QOP_U: return { op: "u", q: w(1), theta: d(2), phi: d(4), lambda: d(6) };
    case f.QOP_CX: return { op: "cx", c: w(1), t: w(2) };
    case f.QOP_MEASURE: return { op: "measure", q: w(1), clbit: w(2) };
    case f.QOP_RESET: return { op: "reset", q: w(1) };
    case f.QOP_BARRIER: return { op: "barrier", qubits: Array.from({ length: len - 2 }, (_, k) => w(2 + k)) };
    case f.QOP_IF: return { op: "if", start: w(1), width: w(2), value: BigInt(w(3)) | (BigInt(w(4)) << 32n) };
    case f.QOP_GPHASE: return { op: "gphase", theta: d(1) };
    case f.QOP_MCU: {
      const k = w(1);
      return { op: "mcu", controls: Array.from({ length: k }, (_, j) => w(2 + j)), t: w(2 + k), m: Array.from({ length: 8 }, (_, j) => d(3 + k + 2 * j)) as Matrix };
    }
    case f.QOP_CREG: {
      const bytes = new Uint8Array(view.buffer, view.byteOffset + (at + 4) * 4, w(3));
      return { op: "creg", start: w(1), width: w(2), name: new TextDecoder().decode(bytes) };
    }
    default: return fail(`instruction ${n} has unknown op ${op}`);
  }
}

/** The bytes 2^n amplitudes of 16 bytes take, as people say them ("2 GiB"). */
export function amplitudeBytes(n: number): string {
  const bytes = 2 ** n * 16;
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
  let u = 0;
  let v = bytes;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[u]}`;
}

/** The one line the tools print for a refusal the engine recorded (QERR_* reason, instruction, two numbers). */
export function refusalText(reason: number, at: number, a: bigint | number, b: bigint | number): string {
  const text = QPU_REASON_TEXTS[reason] ?? `refusal ${reason}`;
  return text.replace("{at}", String(at)).replace("{mem}", amplitudeBytes(Number(a))).replace("{a}", String(a)).replace("{b}", String(b));
}
