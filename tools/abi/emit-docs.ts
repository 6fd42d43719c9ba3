// The reference tables of docs/machine-abi.md and docs/protocols.md, written between marker
// comments (`<!-- abi:NAME -->` ... `<!-- /abi:NAME -->`) so the prose around
// them stays hand-written. A marker pair missing from the doc is an error.
import type { Tables } from "./tables";
import type { NamedSet } from "../../abi/schema";
import { evaluate } from "./text";

const DOC = "docs/machine-abi.md";

const cell = (s: string) => s.replace(/\|/g, "\\|");
const hex = (n: number) => "0x" + n.toString(16).padStart(4, "0");

function syscallTable(t: Tables): string {
  const rows = [...t.syscalls].sort((a, b) => a.number - b.number).map((s) => {
    const args = s.args.map((a) => `${a.name}: ${a.width}`).join(", ");
    return `| ${s.number} | \`${s.name}(${args}) -> ${s.result}\` | \`${s.file}.ts\` \`${s.handler}\` | ${cell(s.doc)} |`;
  });
  return ["| # | syscall | handler | |", "|---|---|---|---|", ...rows].join("\n");
}

function setTable(s: NamedSet, shown: "name" | "display"): string {
  const rows = s.rows.map((r) => {
    const shownAs = shown === "name" ? "" : ` | ${cell(r.display)}`;
    return `| \`${r.name}\` | ${evaluate(r.value)}${shownAs} | ${cell(r.doc ?? "")} |`;
  });
  const head = shown === "name" ? "| name | value | meaning |\n|---|---|---|" : "| name | value | shown as | meaning |\n|---|---|---|---|";
  return [head, ...rows].join("\n");
}

function protocolTable(t: Tables): string {
  const rows = t.protocols.map((p) => {
    const file = p.name === "kernel" ? "`kernel/abi.ts`" : `\`userland/lib/proto/${p.name}.ts\``;
    return `| ${p.title} | ${hex(p.range[0])}..${hex(p.range[1])} | ${p.tags.length} | \`abi/protocols/${p.name}.ts\` | ${file} |`;
  });
  const [first, last] = t.tagRanges.rows.map((r) => evaluate(r.value));
  rows.push(`| services written elsewhere | ${hex(first)}..${hex(last)} | | | |`);
  return ["| protocol | tags | in use | table | constants |", "|---|---|---|---|---|", ...rows].join("\n");
}

function machineTable(t: Tables): string {
  const rows = t.machine.machine.flatMap((g) => g.rows.map((c) =>
    `| ${g.title} | \`${c.name}\` | ${typeof c.value === "string" ? `\`${c.value}\`` : c.value} | ${cell(c.doc ?? "")} |`));
  return ["| group | name | value | |", "|---|---|---|---|", ...rows].join("\n");
}

function sections(t: Tables): Map<string, string> {
  return new Map([
    ["machine", machineTable(t)],
    ["syscalls", syscallTable(t)],
    ["errors", setTable(t.errors, "name")],
    ["faults", setTable(t.faults, "display")],
    ["events", setTable(t.events, "display")],
    ["states", [t.serviceStates, t.processStates, t.healthStates].map((s) => `${s.title}:\n\n${setTable(s, "display")}`).join("\n\n")],
    ["objects", setTable(t.objects, "display")],
    ["rights", setTable(t.rights, "display")],
    ["protocols", protocolTable(t)],
  ]);
}

/** docs/protocols.md: each protocol's tags and numbers, with what they mean. */
function tagTables(t: Tables): string {
  return t.protocols.map((p) => {
    const file = p.name === "kernel" ? "`kernel/abi.ts`" : `\`userland/lib/proto/${p.name}.ts\``;
    const rows = [...p.tags, ...(p.constants ?? []).flatMap((g) => g.rows)].map((c) =>
      `| \`${c.name}\` | ${typeof c.value === "string" ? c.value : String(c.value)} | ${c.display ? `\`${c.display}\`: ` : ""}${cell(c.doc ?? "")} |`);
    return [`### ${p.title} (${hex(p.range[0])}..${hex(p.range[1])})`, "", `Table \`abi/protocols/${p.name}.ts\`; constants in ${file}.`, "",
      "| name | value | meaning |", "|---|---|---|", ...rows].join("\n");
  }).join("\n\n");
}

/** `text` with each marker pair's contents replaced; throws if a pair is missing. */
export function splice(text: string, path: string, parts: Map<string, string>): string {
  let out = text;
  for (const [name, body] of parts) {
    const open = `<!-- abi:${name} -->`, close = `<!-- /abi:${name} -->`;
    const a = out.indexOf(open), b = out.indexOf(close);
    if (a < 0 || b < a) throw new Error(`abi: ${path} lacks the markers ${open} ... ${close}`);
    out = out.slice(0, a + open.length) + "\n" + body + "\n" + out.slice(b);
  }
  return out;
}

const PROTOCOLS_DOC = "docs/protocols.md";

export function emitDocs(t: Tables): Array<[string, string]> {
  return [
    [DOC, splice(t.read(DOC), DOC, sections(t))],
    [PROTOCOLS_DOC, splice(t.read(PROTOCOLS_DOC), PROTOCOLS_DOC, new Map([["tags", tagTables(t)]]))],
  ];
}
