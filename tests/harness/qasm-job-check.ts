// Every rule of the QPU's job format (docs/qpu.md) a parser's job must keep,
// checked on a decoded job: the engine refuses a job that breaks one, so the
// OpenQASM tests hold every job the parser writes to them.
import type { Job } from "../../tools/lib/qpu-job";
import * as f from "../../hal/qpu/job-format";

/** The first rule the job breaks, or null. */
export function jobFault(job: Job, bytes: Uint8Array): string | null {
  const w = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2);
  if (w[f.QJOB_HDR_BYTES] !== bytes.length) return `header says ${w[f.QJOB_HDR_BYTES]} bytes, job has ${bytes.length}`;
  if (w[f.QJOB_HDR_COUNT] !== job.instructions.length) return "instruction count";
  if (w[f.QJOB_HDR_RESERVED0] !== 0 || w[f.QJOB_HDR_RESERVED1] !== 0) return "reserved words";
  if (job.qubits < 1 || job.qubits > f.QPU_MAX_QUBITS) return `qubits ${job.qubits}`;
  if (job.clbits < 0 || job.clbits > f.QJOB_MAX_CLBITS) return `clbits ${job.clbits}`;
  if (bytes.length > f.QJOB_MAX_BYTES) return "longer than QJOB_MAX_BYTES";
  const q = (x: number) => Number.isInteger(x) && x >= 0 && x < job.qubits;
  const bit = (x: number) => Number.isInteger(x) && x >= 0 && x < job.clbits;
  const distinct = (xs: number[]) => new Set(xs).size === xs.length;
  const owned = new Array<boolean>(job.clbits).fill(false);
  for (let n = 0; n < job.instructions.length; n++) {
    const i = job.instructions[n];
    const bad = (why: string) => `instruction ${n} (${i.op}): ${why}`;
    switch (i.op) {
      case "u": if (!q(i.q) || ![i.theta, i.phi, i.lambda].every(Number.isFinite)) return bad("operands"); break;
      case "cx": if (!q(i.c) || !q(i.t) || i.c === i.t) return bad("operands"); break;
      case "measure": if (!q(i.q) || !bit(i.clbit)) return bad("operands"); break;
      case "reset": if (!q(i.q)) return bad("operands"); break;
      case "barrier": if (i.qubits.length < 1 || !i.qubits.every(q) || !distinct(i.qubits)) return bad("operands"); break;
      case "gphase": if (!Number.isFinite(i.theta)) return bad("θ"); break;
      case "mcu": {
        const all = [...i.controls, i.t];
        if (i.controls.length > f.QJOB_MAX_CONTROLS || !all.every(q) || !distinct(all)) return bad("qubits");
        if (!i.m.every(Number.isFinite) || !unitary(i.m)) return bad("matrix");
        break;
      }
      case "if": {
        if (i.width < 1 || i.width > 64 || i.start + i.width > job.clbits) return bad("bits");
        if (i.width < 64 && i.value >> BigInt(i.width) !== 0n) return bad("value");
        const next = job.instructions[n + 1];
        if (!next || !["u", "cx", "measure", "reset", "gphase", "mcu"].includes(next.op)) return bad("nothing to guard");
        break;
      }
      case "creg": {
        const len = new TextEncoder().encode(i.name).length;
        if (i.width < 1 || i.start + i.width > job.clbits || len < 1 || len > f.QJOB_MAX_NAME_BYTES) return bad("register");
        for (let b = i.start; b < i.start + i.width; b++) { if (owned[b]) return bad("overlap"); owned[b] = true; }
        break;
      }
    }
  }
  return null;
}

function unitary(m: number[]): boolean {
  const [ar, ai, br, bi, cr, ci, dr, di] = m;
  const n1 = ar * ar + ai * ai + cr * cr + ci * ci, n2 = br * br + bi * bi + dr * dr + di * di;
  const dotR = ar * br + ai * bi + cr * dr + ci * di, dotI = ar * bi - ai * br + cr * di - ci * dr;
  return Math.abs(n1 - 1) < 1e-9 && Math.abs(n2 - 1) < 1e-9 && Math.abs(dotR) < 1e-9 && Math.abs(dotI) < 1e-9;
}
