// userland/lib/proto/<name>.ts: one file per service protocol (its tags and
// numbers), in the common subset, so services, the shell, the conformance
// suite and the tools import the same constants; proto/index.ts re-exports
// them all (the userland library re-exports that). The kernel's own protocol
// is in kernel/abi.ts instead.
import type { Tables } from "./tables";
import type { Protocol } from "../../abi/schema";
import { evaluate, groupBlock, header } from "./text";

function protocolFile(p: Protocol): string {
  const tags = [...p.tags];
  if (p.last) tags.push({ name: p.last, value: hex(Math.max(...p.tags.map((c) => evaluate(c.value)))), doc: "the highest tag of this protocol" });
  const range = `tags ${hex(p.range[0])}..${hex(p.range[1])}`;
  const blocks = [groupBlock({ title: `${p.title}: ${range}`, doc: p.doc, rows: tags }), ...(p.constants ?? []).map(groupBlock)];
  return header([`abi/protocols/${p.name}.ts`]) + "\n" + blocks.join("\n");
}

function hex(n: number): string {
  return "0x" + n.toString(16).padStart(4, "0");
}

export function emitProtocols(t: Tables): Array<[string, string]> {
  const own = t.protocols.filter((p) => p.name !== "kernel");
  const files: Array<[string, string]> = own.map((p) => [`userland/lib/proto/${p.name}.ts`, protocolFile(p)]);
  const index = header(["abi/protocols/index.ts"]) +
    "// Every service protocol's constants, from one import (the userland library re-exports this).\n" +
    own.map((p) => `export * from "./${p.name}";\n`).join("");
  files.push(["userland/lib/proto/index.ts", index]);
  return files;
}
