// Name functions, so users see names and one wording, never bare numbers:
// errorName(-7) is "E_CRASHED", eventName, stateName, healthName, faultText,
// kindName, rightsName... Written twice from the same rows: for AssemblyScript
// (userland/lib/names.ts: the shell, init, the conformance suite) and for
// TypeScript (tools/lib/names.ts: the CLI, the hosts, the reporters).
import type { Tables } from "./tables";
import type { NamedSet } from "../../abi/schema";
import { header } from "./text";

const SOURCES = ["abi/errors.ts", "abi/events.ts", "abi/states.ts", "abi/faults.ts", "abi/objects.ts", "abi/rights.ts"];

function sets(t: Tables): NamedSet[] {
  return [t.errors, t.events, t.serviceStates, t.processStates, t.healthStates, t.faults, t.objects, t.rights];
}

const str = (s: string) => JSON.stringify(s);

/** The unknown-number text as an expression over `n` (the number as written in the template's %d). */
function unknownExpr(template: string, lang: "as" | "ts"): string {
  const [before, after] = template.split("%d");
  const num = lang === "as" ? "n.toString()" : "String(n)";
  return [before ? str(before) : "", num, after ? str(after) : ""].filter(Boolean).join(" + ");
}

function asFunction(fn: string, s: NamedSet, pick: (r: NamedSet["rows"][number]) => string): string {
  const cases = s.rows.map((r) => `    case abi.${r.name}: return ${str(pick(r))};`);
  return `export function ${fn}(n: i64): string {
  // A number outside i32 names nothing (it must not alias one that does).
  if (n >= -0x80000000 && n <= 0x7fffffff) {
    switch (<i32>n) {
${cases.map((c) => "  " + c).join("\n")}
    }
  }
  return ${unknownExpr(s.unknown, "as")};
}
`;
}

function tsFunction(fn: string, s: NamedSet, pick: (r: NamedSet["rows"][number]) => string): string {
  const table = `${fn.toUpperCase()}_TABLE`;
  return `const ${table} = new Map<number, string>([
${s.rows.map((r) => `  [abi.${r.name}, ${str(pick(r))}],`).join("\n")}
]);
export function ${fn}(n: number): string {
  return ${table}.get(n) ?? ${unknownExpr(s.unknown, "ts")};
}
`;
}

function functions(t: Tables, lang: "as" | "ts"): string[] {
  const make = lang === "as" ? asFunction : tsFunction;
  const out: string[] = [];
  for (const s of sets(t)) {
    out.push(`/** ${s.title}: the name users see. */\n` + make(s.fn, s, (r) => r.display));
    if (s.textFn) out.push(`/** ${s.title}: what it means. */\n` + make(s.textFn, s, (r) => r.doc ?? r.display));
  }
  return out;
}

function rightsJoin(t: Tables, lang: "as" | "ts"): string {
  const bits = t.rights.rows.map((r) => `abi.${r.name}`).join(", ");
  const type = lang === "as" ? "i32" : "number";
  const arr = lang === "as" ? `StaticArray<i32> = [${bits}]` : `number[] = [${bits}]`;
  return `const RIGHT_BITS: ${arr};
/** A set of rights as \`call+send\` ("none" for none). */
export function rightsName(bits: ${type}): string {
  let out = "";
  for (let k = 0; k < RIGHT_BITS.length; k++) {
    const b = ${lang === "as" ? "unchecked(RIGHT_BITS[k])" : "RIGHT_BITS[k]"};
    if ((bits & b) != 0) out += (out.length > 0 ? "+" : "") + rightName(b);
  }
  return out.length > 0 ? out : "none";
}
`;
}

/** An event's detail template as an expression over `d` (and `service`), in either language. */
function detailExpr(template: string, lang: "as" | "ts"): string {
  const parts = template.split(/(\{\w+\})/).filter((p) => p.length > 0).map((p) => {
    switch (p) {
      case "{n}": return lang === "as" ? "d.toString()" : "String(d)";
      case "{fault}": return "faultText(d)";
      case "{error}": return "errorName(d)";
      case "{service}": return lang === "as" ? "service(<i32>d)" : "service(d)";
    }
    if (/^\{\w+\}$/.test(p)) throw new Error(`abi: unknown placeholder ${p} in an event's detail`);
    return str(p);
  });
  return parts.join(" + ");
}

function eventDetail(t: Tables, lang: "as" | "ts"): string {
  const cases = t.events.rows.filter((r) => r.detail).map((r) => {
    const expr = detailExpr(r.detail!, lang);
    const body = r.detailZero ? `d == 0 ? ${str(r.detailZero)} : ${expr}` : expr;
    return `    case abi.${r.name}: return ${body};`;
  });
  const sig = lang === "as" ? "kind: i32, d: i64, service: (i: i32) => string" : "kind: number, d: number, service: (i: number) => string";
  return `/** How an event's detail word reads in \`svc events\` ("" when it is not shown); \`service\` names a service by index. */
export function eventDetail(${sig}): string {
  switch (kind) {
${cases.join("\n")}
  }
  return "";
}
`;
}

export function emitNames(t: Tables): Array<[string, string]> {
  const intro = (importPath: string) => header(SOURCES) + `//
// What users see for the ABI's numbers: one name or one wording per number,
// the same in the shell, init's log, the conformance output and the tools.
import * as abi from "${importPath}";
`;
  const as = intro("../../kernel/abi") + "\n" + [...functions(t, "as"), rightsJoin(t, "as"), eventDetail(t, "as")].join("\n");
  const ts = intro("../../kernel/abi") + "\n" + [...functions(t, "ts"), rightsJoin(t, "ts"), eventDetail(t, "ts")].join("\n");
  return [["userland/lib/names.ts", as], ["tools/lib/names.ts", ts]];
}
