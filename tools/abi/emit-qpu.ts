// Emits, from abi/qpu.ts: the job format's constants (with the run's results
// and the refusal reasons) in the AssemblyScript / TypeScript common subset,
// once, beside the QPU engine (hal/qpu/job-format.ts): the OpenQASM parser,
// the tools and the tests import that file, as every layer imports
// kernel/abi.ts; the calibration table's layout, likewise (hal/qpu/); the reasons' texts for the tools (tools/lib/qpu-reasons.ts);
// and the tables of docs/qpu.md.
import { qcal, qjob, qpuReasons, qrun } from "../../abi/qpu";
import type { Constant } from "../../abi/schema";
import type { QcalField } from "../../abi/schema-qpu";
import { evaluate, groupBlock, header } from "./text";
import { spliceSection } from "./emit-boot-table";
import type { Tables } from "./tables";

const SRC = "abi/qpu.ts";
const hex = (n: number): string => `0x${n.toString(16)}`;

export function emitQpu(t: Tables): Array<[string, string]> {
  check();
  const text = constants();
  let doc = spliceSection(t.read("docs/qpu.md"), "docs/qpu.md", "abi:qpu-job", docTables());
  doc = spliceSection(doc, "docs/qpu.md", "abi:qpu-calibration", calibrationDoc());
  const cal = calibrationConstants();
  return [
    ["hal/qpu/job-format.ts", text], ["docs/qpu.md", doc],
    ["hal/qpu/calibration-format.ts", cal],
    ["tools/lib/qpu-reasons.ts", reasonTexts()],
  ];
}

/** The rows must describe a format a reader can check: the generator refuses any other. */
function check(): void {
  const fail = (why: string): never => { throw new Error(`${SRC}: ${why}`); };
  const seen = new Set<number>();
  for (const op of qjob.ops) {
    if (seen.has(op.value) || op.value <= 0 || op.value >= 1 << qjob.opShift) fail(`op ${op.name}'s value ${op.value} is taken or does not fit below the length`);
    seen.add(op.value);
    if (op.words < 1 || op.words >= 1 << (32 - qjob.opShift)) fail(`op ${op.name} has ${op.words} words`);
  }
  qpuReasons.forEach((r, i) => { if (r.value !== i) fail(`reason ${r.name} has value ${r.value}; reasons run 0, 1, ... in table order`); });
  for (const part of [qcal.header, qcal.qubit, qcal.gate]) {
    if (bytes(part) % 8 !== 0) fail(`a calibration record of ${bytes(part)} bytes: records keep their f64 fields 8-aligned`);
  }
}

const size = (f: QcalField): number => (f.type === "f64" ? 8 : 4);
const bytes = (part: QcalField[]): number => part.reduce((n, f) => n + size(f), 0);
const offsets = (part: QcalField[]): number[] => part.map((_, i) => bytes(part.slice(0, i)));

function constants(): string {
  const format: Constant[] = [
    { name: "QJOB_MAGIC", value: hex(qjob.magic), doc: '"QPJ1"' },
    { name: "QJOB_VERSION", value: qjob.version },
    { name: "QJOB_HEADER_WORDS", value: qjob.header.length, doc: "the instructions start at this word" },
    ...qjob.header.map((w, i): Constant => ({ name: `QJOB_HDR_${w.name}`, value: i, doc: `header word: ${w.doc}` })),
    { name: "QOP_WORDS_SHIFT", value: qjob.opShift, doc: "an instruction's first word is op | (words << QOP_WORDS_SHIFT), words its whole length, this word included" },
    { name: "QOP_MASK", value: hex((1 << qjob.opShift) - 1), doc: "the op in an instruction's first word" },
  ];
  const ops: Constant[] = qjob.ops.flatMap((op): Constant[] => [
    { name: `QOP_${op.name}`, value: op.value, doc: `${op.operands}: ${op.doc}` },
    { name: `QOP_${op.name}_WORDS`, value: op.words, doc: op.extra ? `its length with no ${op.extra}: add ${op.extra} words` : "its length" },
  ]);
  return header([SRC]) +
    "// The QPU's job format (docs/qpu.md): header words by index, instructions,\n" +
    "// limits. The same text serves AssemblyScript and TypeScript.\n\n" +
    [
      groupBlock({ title: "header", rows: format }),
      groupBlock({ title: "instructions", rows: ops }),
      groupBlock(qjob.limits),
      groupBlock(qrun),
      groupBlock({ title: "refusals", doc: ["Why a job or run was refused (tools/lib/qpu-reasons.ts has the texts)."], rows: qpuReasons.map((r) => ({ name: `QERR_${r.name}`, value: r.value })) }),
    ].join("\n");
}

function calibrationConstants(): string {
  const rows = (prefix: string, part: QcalField[]): Constant[] =>
    part.map((f, i): Constant => ({ name: `${prefix}_${f.name}`, value: offsets(part)[i], doc: `${f.type}: ${f.doc}` }));
  return header([SRC]) +
    "// The QPU's calibration table (docs/qpu.md): a header, one record per qubit,\n" +
    "// one per calibrated gate; byte offsets of fields within each.\n\n" +
    [
      groupBlock({ title: "header", rows: [
        { name: "QCAL_MAGIC", value: hex(qcal.magic), doc: '"QCL1"' },
        { name: "QCAL_VERSION", value: qcal.version },
        { name: "QCAL_HEADER_BYTES", value: bytes(qcal.header), doc: "the qubit records start here" },
        ...rows("QCAL_HDR", qcal.header),
      ] }),
      groupBlock({ title: "qubit record", rows: [{ name: "QCAL_QUBIT_BYTES", value: bytes(qcal.qubit), doc: "one qubit's record; the gate records follow the last" }, ...rows("QCAL_Q", qcal.qubit)] }),
      groupBlock({ title: "gate record", rows: [{ name: "QCAL_GATE_BYTES", value: bytes(qcal.gate), doc: "one gate's record" }, ...rows("QCAL_G", qcal.gate)] }),
      groupBlock(qcal.values),
    ].join("\n");
}

function reasonTexts(): string {
  return header([SRC]) +
    "// Why the QPU refused a job, as the tools print it: {at} is the instruction,\n" +
    "// {a} and {b} the refusal's numbers, {mem} the bytes of 2^{a} amplitudes\n" +
    "// (tools/lib/qpu-job.ts fills them in).\n\n" +
    `export const QPU_REASON_TEXTS: readonly string[] = [\n${qpuReasons.map((r) => `  ${JSON.stringify(r.text)}, // QERR_${r.name}`).join("\n")}\n];\n`;
}

function calibrationDoc(): string {
  const table = (title: string, part: QcalField[]): string[] => [
    title, "", "| offset | field | type | holds |", "|---|---|---|---|",
    ...part.map((f, i) => `| ${offsets(part)[i]} | \`${f.name}\` | ${f.type} | ${cell(f.doc)} |`), "",
  ];
  return [
    ...table(`Header (\`QCAL_MAGIC\` = ${hex(qcal.magic)}, \`QCAL_VERSION\` = ${qcal.version}), ${bytes(qcal.header)} bytes:`, qcal.header),
    ...table(`Then one record per qubit, ${bytes(qcal.qubit)} bytes each:`, qcal.qubit),
    ...table(`Then one record per calibrated gate, ${bytes(qcal.gate)} bytes each:`, qcal.gate),
    "| value | name | meaning |", "|---|---|---|",
    ...qcal.values.rows.map((r) => `| ${evaluate(r.value)} | \`${r.name}\` | ${cell(r.doc ?? "")} |`),
  ].join("\n");
}

const cell = (s: string): string => s.replace(/\|/g, "\\|");

function docTables(): string {
  const limits = new Map(qjob.limits.rows.map((r) => [r.name, evaluate(r.value)]));
  const head = [
    "| word | constant | holds |",
    "|---|---|---|",
    ...qjob.header.map((w, i) => `| ${i} | \`QJOB_HDR_${w.name}\` | ${cell(w.doc)} |`),
  ];
  const ops = [
    "| op | name | words | operands | meaning |",
    "|---|---|---|---|---|",
    ...qjob.ops.map((o) => `| ${o.value} | \`QOP_${o.name}\` | ${o.words}${o.extra ? ` + ${o.extra}` : ""} | ${cell(o.operands)} | ${cell(o.doc)} |`),
  ];
  const lim = [
    "| limit | value | why |",
    "|---|---|---|",
    ...qjob.limits.rows.map((r) => `| \`${r.name}\` | ${limits.get(r.name)} | ${cell(r.doc ?? "")} |`),
  ];
  return [
    `Header (\`QJOB_MAGIC\` = ${hex(qjob.magic)}, \`QJOB_VERSION\` = ${qjob.version}), ${qjob.header.length} words:`, "", ...head, "",
    `Instructions: a first word \`op | (words << ${qjob.opShift})\`, then the operands (u32 words unless marked f64):`, "", ...ops, "",
    ...lim,
  ].join("\n");
}
