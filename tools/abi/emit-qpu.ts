// Emits, from abi/qpu.ts: the job format's constants in the AssemblyScript /
// TypeScript common subset, once for each layer that reads or writes jobs
// (the QPU engine, the OpenQASM parser, the tools and tests), and the
// job-format tables of docs/qpu.md.
import { qjob } from "../../abi/qpu";
import type { Constant } from "../../abi/schema";
import { evaluate, groupBlock, header } from "./text";
import { spliceSection } from "./emit-boot-table";
import type { Tables } from "./tables";

const SRC = "abi/qpu.ts";
const FILES = ["hal/qpu/job-format.ts", "userland/lib/qasm/job-format.ts", "tools/lib/qpu-job-format.ts"];
const hex = (n: number): string => `0x${n.toString(16)}`;

export function emitQpu(t: Tables): Array<[string, string]> {
  check();
  const text = constants();
  const doc = spliceSection(t.read("docs/qpu.md"), "docs/qpu.md", "abi:qpu-job", docTables());
  return [...FILES.map((f): [string, string] => [f, text]), ["docs/qpu.md", doc]];
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
}

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
