// The job check: every rule of the job format (docs/qpu.md) before anything
// runs, so a hostile job (lying lengths, indices out of range, duplicate
// qubits, too many controls, NaN angles, truncation) is refused whole with
// E_ARG and a reason (refusal.ts), never a trap. Every read stays inside
// [job, job + len): a length is checked before the words it covers are read.
import { OK } from "../../kernel/abi";
import {
  QJOB_MAGIC, QJOB_VERSION, QJOB_HEADER_WORDS, QJOB_HDR_MAGIC, QJOB_HDR_VERSION, QJOB_HDR_QUBITS, QJOB_HDR_CLBITS,
  QJOB_HDR_COUNT, QJOB_HDR_BYTES, QJOB_HDR_RESERVED0, QJOB_HDR_RESERVED1, QOP_WORDS_SHIFT, QOP_MASK,
  QOP_U, QOP_CX, QOP_MEASURE, QOP_RESET, QOP_BARRIER, QOP_IF, QOP_GPHASE, QOP_MCU, QOP_CREG,
  QOP_U_WORDS, QOP_CX_WORDS, QOP_MEASURE_WORDS, QOP_RESET_WORDS, QOP_BARRIER_WORDS, QOP_IF_WORDS, QOP_GPHASE_WORDS,
  QOP_MCU_WORDS, QOP_CREG_WORDS, QPU_MAX_QUBITS, QJOB_MAX_CLBITS, QJOB_MAX_CONTROLS, QJOB_MAX_NAME_BYTES, QJOB_MAX_BYTES,
  QERR_SIZE, QERR_MAGIC, QERR_VERSION, QERR_BYTES, QERR_RESERVED, QERR_QUBITS, QERR_TOO_MANY_QUBITS, QERR_CLBITS,
  QERR_OVERRUN, QERR_LENGTH, QERR_TRAILING, QERR_OP, QERR_QUBIT, QERR_CLBIT, QERR_DUPLICATE, QERR_CONTROLS,
  QERR_NOT_FINITE, QERR_NOT_UNITARY, QERR_BIT_RANGE, QERR_IF_VALUE, QERR_IF_TARGET, QERR_BARRIER, QERR_NAME, QERR_OVERLAP,
} from "./job-format";
import { refuse } from "./refusal";
import { isUnitary } from "./matrix";

@inline export function word(job: usize, w: u32): u32 { return load<u32>(job + (<usize>w << 2)); }
@inline export function real(job: usize, w: u32): f64 { return load<f64>(job + (<usize>w << 2)); }
@inline export function opOf(head: u32): u32 { return head & QOP_MASK; }
@inline export function wordsOf(head: u32): u32 { return head >>> QOP_WORDS_SHIFT; }

// The job being checked.
let qubits: u32 = 0;
let clbits: u32 = 0;
let used: u32 = 0; // the current instruction's qubits, a bit each
let cregBits: u64 = 0; // classical bits some register already holds

/** OK, or E_ARG with the reason recorded; `allowed` is the QPU's qubit allowance. */
export function checkJob(job: usize, len: u32, allowed: u32): i32 {
  if ((len & 3) != 0 || len < <u32>QJOB_HEADER_WORDS * 4 || len > <u32>QJOB_MAX_BYTES) return refuse(QERR_SIZE, -1, len, QJOB_MAX_BYTES);
  if (word(job, QJOB_HDR_MAGIC) != QJOB_MAGIC) return refuse(QERR_MAGIC, -1, 0, 0);
  const version = word(job, QJOB_HDR_VERSION);
  if (version != QJOB_VERSION) return refuse(QERR_VERSION, -1, version, QJOB_VERSION);
  const bytes = word(job, QJOB_HDR_BYTES);
  if (bytes != len) return refuse(QERR_BYTES, -1, bytes, len);
  if (word(job, QJOB_HDR_RESERVED0) != 0) return refuse(QERR_RESERVED, -1, QJOB_HDR_RESERVED0, 0);
  if (word(job, QJOB_HDR_RESERVED1) != 0) return refuse(QERR_RESERVED, -1, QJOB_HDR_RESERVED1, 0);
  qubits = word(job, QJOB_HDR_QUBITS);
  if (qubits == 0) return refuse(QERR_QUBITS, -1, qubits, QPU_MAX_QUBITS);
  // allowed ≤ QPU_MAX_QUBITS (qpuAllow), so this also refuses any job beyond the cap.
  if (qubits > allowed) return refuse(QERR_TOO_MANY_QUBITS, -1, qubits, allowed);
  clbits = word(job, QJOB_HDR_CLBITS);
  if (clbits > <u32>QJOB_MAX_CLBITS) return refuse(QERR_CLBITS, -1, clbits, QJOB_MAX_CLBITS);
  return checkBody(job, len >>> 2, word(job, QJOB_HDR_COUNT));
}

function checkBody(job: usize, end: u32, count: u32): i32 {
  cregBits = 0;
  let pos: u32 = QJOB_HEADER_WORDS;
  let afterIf = false;
  for (let n: u32 = 0; n < count; n++) {
    if (pos >= end) return refuse(QERR_OVERRUN, n, 0, 0);
    const head = word(job, pos);
    const words = wordsOf(head);
    if (words == 0 || <u64>pos + words > <u64>end) return refuse(QERR_OVERRUN, n, 0, 0);
    const op = opOf(head);
    if (afterIf && !conditionable(op)) return refuse(QERR_IF_TARGET, n, op, 0);
    const r = checkOne(job, pos, words, op, n);
    if (r != OK) return r;
    afterIf = op == QOP_IF;
    pos += words;
  }
  if (afterIf) return refuse(QERR_IF_TARGET, count - 1, 0, 0);
  if (pos != end) return refuse(QERR_TRAILING, -1, end - pos, count);
  return OK;
}

@inline function conditionable(op: u32): bool {
  return op == QOP_U || op == QOP_CX || op == QOP_MEASURE || op == QOP_RESET || op == QOP_GPHASE || op == QOP_MCU;
}

/** The words an instruction must have, from its op and, for the variable ones, the operand that says; 0: unknown op. */
function expected(job: usize, pos: u32, words: u32, op: u32): u64 {
  if (op == QOP_U) return QOP_U_WORDS;
  if (op == QOP_CX) return QOP_CX_WORDS;
  if (op == QOP_MEASURE) return QOP_MEASURE_WORDS;
  if (op == QOP_RESET) return QOP_RESET_WORDS;
  if (op == QOP_IF) return QOP_IF_WORDS;
  if (op == QOP_GPHASE) return QOP_GPHASE_WORDS;
  // The variable ones: their count operand is read only once the base length is there.
  if (op == QOP_BARRIER) return words < <u32>QOP_BARRIER_WORDS ? QOP_BARRIER_WORDS : <u64>QOP_BARRIER_WORDS + word(job, pos + 1);
  if (op == QOP_MCU) return words < <u32>QOP_MCU_WORDS ? QOP_MCU_WORDS : <u64>QOP_MCU_WORDS + word(job, pos + 1);
  if (op == QOP_CREG) return words < <u32>QOP_CREG_WORDS ? QOP_CREG_WORDS : <u64>QOP_CREG_WORDS + ((<u64>word(job, pos + 3) + 3) >> 2);
  return 0;
}

function checkOne(job: usize, pos: u32, words: u32, op: u32, n: u32): i32 {
  const want = expected(job, pos, words, op);
  if (want == 0) return refuse(QERR_OP, n, op, 0);
  // Limits on the count operands come first: their own errors say more than a length would.
  if (op == QOP_MCU && words >= <u32>QOP_MCU_WORDS && word(job, pos + 1) > <u32>QJOB_MAX_CONTROLS) return refuse(QERR_CONTROLS, n, word(job, pos + 1), QJOB_MAX_CONTROLS);
  if (op == QOP_CREG && words >= <u32>QOP_CREG_WORDS) {
    const name = word(job, pos + 3);
    if (name == 0 || name > <u32>QJOB_MAX_NAME_BYTES) return refuse(QERR_NAME, n, name, QJOB_MAX_NAME_BYTES);
  }
  if (op == QOP_BARRIER && words >= <u32>QOP_BARRIER_WORDS && word(job, pos + 1) == 0) return refuse(QERR_BARRIER, n, 0, 0);
  if (<u64>words != want) return refuse(QERR_LENGTH, n, words, want);
  used = 0;
  if (op == QOP_U) return qubit(job, pos + 1, n) || finite(job, pos + 2, 3, n);
  if (op == QOP_CX) return qubit(job, pos + 1, n) || qubit(job, pos + 2, n);
  if (op == QOP_MEASURE) return qubit(job, pos + 1, n) || clbit(word(job, pos + 2), n);
  if (op == QOP_RESET) return qubit(job, pos + 1, n);
  if (op == QOP_GPHASE) return finite(job, pos + 1, 1, n);
  if (op == QOP_BARRIER) return qubitList(job, pos + 2, words - 2, n);
  if (op == QOP_MCU) return checkMcu(job, pos, words, n);
  if (op == QOP_IF) return checkIf(job, pos, n);
  return checkCreg(job, pos, n);
}

function qubit(job: usize, w: u32, n: u32): i32 {
  const q = word(job, w);
  if (q >= qubits) return refuse(QERR_QUBIT, n, q, qubits);
  if ((used & (1 << q)) != 0) return refuse(QERR_DUPLICATE, n, q, 0);
  used |= 1 << q;
  return OK;
}

function qubitList(job: usize, w: u32, count: u32, n: u32): i32 {
  for (let i: u32 = 0; i < count; i++) {
    const r = qubit(job, w + i, n);
    if (r != OK) return r;
  }
  return OK;
}

function clbit(c: u32, n: u32): i32 {
  return c < clbits ? OK : refuse(QERR_CLBIT, n, c, clbits);
}

/** `count` f64 operands from word `w`, each finite. */
function finite(job: usize, w: u32, count: u32, n: u32): i32 {
  for (let i: u32 = 0; i < count; i++) if (!isFinite<f64>(real(job, w + 2 * i))) return refuse(QERR_NOT_FINITE, n, 0, 0);
  return OK;
}

function checkMcu(job: usize, pos: u32, words: u32, n: u32): i32 {
  const k = word(job, pos + 1);
  const r = qubitList(job, pos + 2, k + 1, n) || finite(job, pos + 3 + k, 8, n);
  if (r != OK) return r;
  return isUnitary(job + (<usize>(pos + 3 + k) << 2)) ? OK : refuse(QERR_NOT_UNITARY, n, 0, 0);
}

/** [start, start + width) inside the job's classical bits, width 1 .. 64. */
function bitRange(start: u32, width: u32, n: u32): i32 {
  if (width == 0 || width > 64 || <u64>start + width > <u64>clbits) return refuse(QERR_BIT_RANGE, n, start, width);
  return OK;
}

function checkIf(job: usize, pos: u32, n: u32): i32 {
  const width = word(job, pos + 2);
  const r = bitRange(word(job, pos + 1), width, n);
  if (r != OK) return r;
  const value = <u64>word(job, pos + 3) | (<u64>word(job, pos + 4) << 32);
  if (width < 64 && (value >> width) != 0) return refuse(QERR_IF_VALUE, n, 0, width);
  return OK;
}

function checkCreg(job: usize, pos: u32, n: u32): i32 {
  const start = word(job, pos + 1);
  const width = word(job, pos + 2);
  const r = bitRange(start, width, n);
  if (r != OK) return r;
  const mask = (width == 64 ? ~<u64>0 : (<u64>1 << width) - 1) << start;
  const clash = mask & cregBits;
  if (clash != 0) return refuse(QERR_OVERLAP, n, ctz<u64>(clash), 0);
  cregBits |= mask;
  return OK;
}
