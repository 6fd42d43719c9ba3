// The QPU's job format: a byte buffer of little-endian u32 words (an f64 takes
// two words, little-endian IEEE 754, at any 4-byte offset) that the OpenQASM
// parser (userland/lib/qasm/) writes and the QPU engine (hal/qpu/) checks whole
// before it runs anything. From these rows come the constants both import
// (hal/qpu/job-format.ts, userland/lib/qasm/job-format.ts), the TypeScript ones
// of the tools and tests (tools/lib/qpu-job-format.ts) and the job-format
// tables of docs/qpu.md.
import type { QjobFormat } from "./schema-qpu";

export const qjob: QjobFormat = {
  magic: 0x314a5051, // "QPJ1"
  version: 1,
  header: [
    { name: "MAGIC", doc: "QJOB_MAGIC" },
    { name: "VERSION", doc: "QJOB_VERSION" },
    { name: "QUBITS", doc: "qubits the job uses: 1 .. QPU_MAX_QUBITS (and no more than the QPU allows)" },
    { name: "CLBITS", doc: "classical bits: 0 .. QJOB_MAX_CLBITS" },
    { name: "COUNT", doc: "instructions that follow the header" },
    { name: "BYTES", doc: "the whole job's length in bytes (a multiple of 4)" },
    { name: "RESERVED0", doc: "0" },
    { name: "RESERVED1", doc: "0" },
  ],
  opShift: 16,
  ops: [
    {
      name: "U", value: 1, words: 8, operands: "q, θ:f64, φ:f64, λ:f64",
      doc: "OpenQASM's U(θ,φ,λ) = [[cos θ/2, −e^{iλ} sin θ/2], [e^{iφ} sin θ/2, e^{i(φ+λ)} cos θ/2]]",
    },
    { name: "CX", value: 2, words: 3, operands: "c, t", doc: "CNOT: flips t when c is 1" },
    { name: "MEASURE", value: 3, words: 3, operands: "q, clbit", doc: "measure q in Z into a classical bit" },
    { name: "RESET", value: 4, words: 2, operands: "q", doc: "reset q to |0⟩" },
    {
      name: "BARRIER", value: 5, words: 2, extra: "n", operands: "n, q0 … q(n−1)",
      doc: "no effect on the state; fusion and scheduling do not cross it; n ≥ 1",
    },
    {
      name: "IF", value: 6, words: 5, operands: "clbit start, width, value low word, value high word",
      doc: "the NEXT instruction runs only if classical bits [start, start+width) read as the unsigned value (bit start least significant); width 1 .. 64, the value below 2^width; the next instruction is a U, CX, MEASURE, RESET, GPHASE or MCU",
    },
    { name: "GPHASE", value: 7, words: 3, operands: "θ:f64", doc: "global phase e^{iθ}: no effect on counts, kept so that a controlled gphase is exact" },
    {
      name: "MCU", value: 8, words: 19, extra: "k", operands: "k, c0 … c(k−1), t, then 8 f64: the 2×2 unitary row-major as (re, im) pairs m00, m01, m10, m11",
      doc: "apply the 2×2 unitary to t when all k controls are 1 (k = 0: any one-qubit unitary); k ≤ QJOB_MAX_CONTROLS; the matrix must be unitary to 1e-9",
    },
    {
      name: "CREG", value: 9, words: 4, extra: "⌈name bytes / 4⌉", operands: "start, width, name length in bytes, then the name's UTF-8 bytes padded with zeros to a word",
      doc: "declares a classical register's bits, for printing counts (Qiskit's format: the last declared register leftmost, bit 0 of each rightmost); width ≥ 1, registers do not overlap, name 1 .. QJOB_MAX_NAME_BYTES bytes",
    },
  ],
  limits: {
    title: "limits",
    doc: ["A job is refused whole (E_ARG) if it passes any of these."],
    rows: [
      { name: "QPU_MAX_QUBITS", value: 26, doc: "no QPU allows more: 2^26 amplitudes of 16 bytes are 1 GiB" },
      { name: "QPU_DEFAULT_QUBITS", value: 20, doc: "what a QPU allows when the image's manifest does not say" },
      { name: "QJOB_MAX_CLBITS", value: 64, doc: "classical bits of a job: one outcome is a u64" },
      { name: "QJOB_MAX_CONTROLS", value: 8, doc: "controls of one MCU" },
      { name: "QJOB_MAX_NAME_BYTES", value: 64, doc: "bytes of a classical register's name" },
      { name: "QJOB_MAX_BYTES", value: "1 << 22", doc: "bytes of a whole job (4 MiB)" },
    ],
  },
};
