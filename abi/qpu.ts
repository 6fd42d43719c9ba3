// The QPU's job format: a byte buffer of little-endian u32 words (an f64 takes
// two words, little-endian IEEE 754, at any 4-byte offset) that the OpenQASM
// parser (userland/lib/qasm/) writes and the QPU engine (hal/qpu/) checks whole
// before it runs anything. From these rows come the constants, in one file
// that the engine, the parser, the tools and the tests all import
// (hal/qpu/job-format.ts), and the job-format tables of docs/qpu.md. Below
// the job: what a run gives back, why a job is refused, and the calibration
// table the engine reads (hal/qpu/calibration-format.ts, imported by the tools too).
import type { QcalFormat, QjobFormat, QpuReason } from "./schema-qpu";
import type { Group } from "./schema";

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

/** A run's parameters besides the job, and what it gives back. */
export const qrun: Group = {
  title: "runs and results",
  doc: [
    "A run takes the job, a shot count and a 64-bit seed; it gives the counts as",
    "entries of QRES_ENTRY_BYTES (outcome low word, high word, count, 0),",
    "ascending by outcome: bit i of the outcome is classical bit i. With",
    "QRUN_MEMORY it gives each shot's outcome instead, in shot order, QRES_SHOT_BYTES",
    "each; with QRUN_UNSEEDED its random numbers come from the host's random",
    "source, not the seed (docs/qpu.md: Unseeded runs and per-shot readout).",
  ],
  rows: [
    { name: "QPU_MAX_SHOTS", value: "1 << 20", doc: "shots of one run" },
    { name: "QRES_ENTRY_BYTES", value: 16, doc: "one outcome's entry" },
    { name: "QRES_OUTCOME_LO", value: 0, doc: "entry: classical bits 0..31" },
    { name: "QRES_OUTCOME_HI", value: 4, doc: "entry: classical bits 32..63" },
    { name: "QRES_COUNT", value: 8, doc: "entry: how many shots gave it" },
    { name: "QRUN_NO_FUSION", value: 1, doc: "run flag: apply each gate as written (tests compare with fusion)" },
    { name: "QRUN_SCALAR", value: 2, doc: "run flag: the scalar kernels instead of the SIMD ones (tests compare them)" },
    { name: "QRUN_PER_SHOT", value: 4, doc: "run flag: run every shot whole even when all measurements are terminal (tests compare with sampling)" },
    { name: "QRUN_UNSEEDED", value: 8, doc: "run flag: every random number of the run (measurements, readout errors, noise) is drawn from the host's random source (host.random_fill) instead of the seed, which is ignored: no two runs repeat; without a random source (the engine alone) the run is refused (QERR_UNSEEDED)" },
    { name: "QRUN_MEMORY", value: 16, doc: "run flag: per-shot readout: the results are each shot's outcome in shot order, QRES_SHOT_BYTES each (outcome low word, high word), and the result count is the shots; every shot runs whole (as QRUN_PER_SHOT)" },
    { name: "QRES_SHOT_BYTES", value: 8, doc: "one shot's outcome under QRUN_MEMORY: classical bits 0..31, then 32..63" },
  ],
};

/** Why a job or run was refused; the engine keeps the reason, the instruction and two numbers. */
export const qpuReasons: QpuReason[] = [
  { name: "NONE", value: 0, text: "no refusal" },
  { name: "SIZE", value: 1, text: "the job is {a} bytes: a job is a whole number of words, at least its header, at most {b} bytes" },
  { name: "MAGIC", value: 2, text: "not a QPU job (its first word is not QJOB_MAGIC)" },
  { name: "VERSION", value: 3, text: "job format version {a}; this QPU reads version {b}" },
  { name: "BYTES", value: 4, text: "the header says {a} bytes but the job is {b}" },
  { name: "RESERVED", value: 5, text: "header word {a} is reserved and must be 0" },
  { name: "QUBITS", value: 6, text: "{a} qubits: a job uses 1 to {b}" },
  { name: "TOO_MANY_QUBITS", value: 7, text: "{a} qubits need {mem} of amplitudes; this QPU allows {b}" },
  { name: "CLBITS", value: 8, text: "{a} classical bits: at most {b}" },
  { name: "OVERRUN", value: 9, text: "instruction {at} runs past the end of the job" },
  { name: "LENGTH", value: 10, text: "instruction {at}: {a} words where its operands need {b}" },
  { name: "TRAILING", value: 11, text: "{a} words follow the last of the {b} instructions the header declares" },
  { name: "OP", value: 12, text: "instruction {at}: unknown op {a}" },
  { name: "QUBIT", value: 13, text: "instruction {at}: qubit {a} is not below the job's {b} qubits" },
  { name: "CLBIT", value: 14, text: "instruction {at}: classical bit {a} is not below the job's {b}" },
  { name: "DUPLICATE", value: 15, text: "instruction {at}: qubit {a} appears twice" },
  { name: "CONTROLS", value: 16, text: "instruction {at}: {a} controls, at most {b}" },
  { name: "NOT_FINITE", value: 17, text: "instruction {at}: an angle or matrix entry is not a finite number" },
  { name: "NOT_UNITARY", value: 18, text: "instruction {at}: the matrix is not unitary (to 1e-9)" },
  { name: "BIT_RANGE", value: 19, text: "instruction {at}: {b} classical bits from bit {a} lie outside the job's" },
  { name: "IF_VALUE", value: 20, text: "instruction {at}: the value does not fit in {b} bits" },
  { name: "IF_TARGET", value: 21, text: "instruction {at}: an if is followed by a gate, measure or reset, not op {a}" },
  { name: "BARRIER", value: 22, text: "instruction {at}: a barrier names at least one qubit" },
  { name: "NAME", value: 23, text: "instruction {at}: a register name of {a} bytes (1 to {b})" },
  { name: "OVERLAP", value: 24, text: "instruction {at}: classical bit {a} already belongs to a register" },
  { name: "SHOTS", value: 25, text: "{a} shots: a run takes 0 to {b}" },
  { name: "PAIR", value: 26, text: "instruction {at}: cx on qubits {a}, {b}: the pair is not in the calibration's coupling map" },
  { name: "BASIS", value: 27, text: "instruction {at}: a gate with {a} controls has no translation to the device's basis (a calibrated QPU takes at most {b})" },
  { name: "CAL_QUBITS", value: 28, text: "{a} qubits: the calibration describes only {b}" },
  { name: "MEMORY", value: 29, text: "{a} qubits need {mem} of amplitudes, more than the host gives the QPU" },
  { name: "ALLOWANCE", value: 30, text: "{a} qubits: a QPU allows 1 to {b}" },
  { name: "CAL_TABLE", value: 31, text: "calibration table of {a} bytes: its header is wrong or its records do not fill it (docs/qpu.md)" },
  { name: "CAL_QUBIT", value: 32, text: "calibration table: qubit record {a} has a figure out of range (T1, T2 > 0; probabilities 0 to 1; lengths ≥ 0)" },
  { name: "CAL_GATE", value: 33, text: "calibration table: gate record {a} is malformed (kind, qubits, error 0 to 1, length ≥ 0) or repeats an earlier one" },
  { name: "UNSEEDED", value: 34, text: "an unseeded run (QRUN_UNSEEDED) needs the host's random source, which this engine was not given" },
];

/** The calibration table the engine reads (tools/lib/qpu-calibration.ts writes it). */
export const qcal: QcalFormat = {
  magic: 0x314c4351, // "QCL1"
  version: 1,
  header: [
    { name: "MAGIC", type: "u32", doc: "QCAL_MAGIC" },
    { name: "VERSION", type: "u32", doc: "QCAL_VERSION" },
    { name: "QUBITS", type: "u32", doc: "qubit records: 1 .. QCAL_MAX_QUBITS" },
    { name: "GATES", type: "u32", doc: "gate records: 0 .. QCAL_MAX_GATES" },
    { name: "BYTES", type: "u32", doc: "the whole table's length" },
    { name: "RESERVED0", type: "u32", doc: "0" },
    { name: "RESERVED1", type: "u32", doc: "0" },
    { name: "RESERVED2", type: "u32", doc: "0" },
  ],
  qubit: [
    { name: "T1", type: "f64", doc: "T1 in ns, > 0 (+inf: no relaxation)" },
    { name: "T2", type: "f64", doc: "T2 in ns, > 0 (+inf: none; the engine clamps it to 2·T1)" },
    { name: "P10", type: "f64", doc: "prob_meas1_prep0: reading 1 after preparing 0, 0 .. 1" },
    { name: "P01", type: "f64", doc: "prob_meas0_prep1: reading 0 after preparing 1, 0 .. 1" },
    { name: "READOUT_NS", type: "f64", doc: "readout length in ns, ≥ 0 (for the scheduler's durations)" },
  ],
  gate: [
    { name: "KIND", type: "u32", doc: "QCAL_GATE_*" },
    { name: "Q0", type: "u32", doc: "its qubit (cx: the control)" },
    { name: "Q1", type: "u32", doc: "cx: the target; QCAL_NONE for one-qubit gates" },
    { name: "RESERVED", type: "u32", doc: "0" },
    { name: "ERROR", type: "f64", doc: "gate_error: the average gate infidelity, 0 .. 1" },
    { name: "LENGTH_NS", type: "f64", doc: "gate_length in ns, ≥ 0" },
  ],
  values: {
    title: "calibration values",
    rows: [
      { name: "QCAL_GATE_ID", value: 1, doc: "id" },
      { name: "QCAL_GATE_RZ", value: 2, doc: "rz: virtual on IBM's devices (no error, no length)" },
      { name: "QCAL_GATE_SX", value: 3, doc: "sx" },
      { name: "QCAL_GATE_X", value: 4, doc: "x" },
      { name: "QCAL_GATE_CX", value: 5, doc: "cx: its pair (Q0, Q1) is in the coupling map" },
      { name: "QCAL_GATE_RESET", value: 6, doc: "reset: relaxation for its length, a depolarizing error if it has one" },
      { name: "QCAL_NONE", value: "0xffff", doc: "Q1 of a one-qubit gate" },
      { name: "QCAL_MAX_QUBITS", value: 128, doc: "qubit records of a table" },
      { name: "QCAL_MAX_GATES", value: 2048, doc: "gate records of a table" },
    ],
  },
};
