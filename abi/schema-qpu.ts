// Row types of abi/qpu.ts: the QPU's job format (what the OpenQASM parser
// writes and the engine reads) and its limits. Plain data: tools/abi/emit-qpu.ts
// turns the rows into constants and the job-format tables of docs/qpu.md.
import type { Group } from "./schema";

/** One u32 word of the job's header; its index constant is QJOB_HDR_<name>. */
export interface QjobHeaderWord {
  name: string;
  doc: string;
}

/** One instruction: its opcode constant is QOP_<name>, its length QOP_<name>_WORDS. */
export interface QjobOp {
  name: string;
  value: number;
  /** Words of the instruction when its variable part is empty, the op word included. */
  words: number;
  /** How the length grows: the variable part, said in words (absent: fixed length). */
  extra?: string;
  /** The operands after the op word, as docs/qpu.md lists them. */
  operands: string;
  doc: string;
}

export interface QjobFormat {
  magic: number;
  version: number;
  header: QjobHeaderWord[];
  /** The op word: `op | (words << opShift)`. */
  opShift: number;
  ops: QjobOp[];
  /** Limits a job is checked against, and the engine's own. */
  limits: Group;
}

/** Why the engine refused a job: QERR_<name>, with the one-line text the tools print. */
export interface QpuReason {
  name: string;
  value: number;
  /** {at}: the instruction's index; {a}, {b}: the refusal's two numbers; {mem}: the bytes of 2^{a} amplitudes. */
  text: string;
}

/** One field of a calibration table's records: u32 or f64, at offsets that follow from the order. */
export interface QcalField {
  name: string;
  type: "u32" | "f64";
  doc: string;
}

export interface QcalFormat {
  magic: number;
  version: number;
  header: QcalField[];
  qubit: QcalField[];
  gate: QcalField[];
  /** Gate kinds (QCAL_GATE_<name>) and other values the fields hold. */
  values: Group;
}
