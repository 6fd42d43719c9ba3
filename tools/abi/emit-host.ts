// What the hosts and tools share besides kernel/abi.ts's numbers, written from
// abi/machine.ts:
// - tools/lib/abi-texts.ts: image section names and module names (TypeScript).
// - tools/host-wasmtime/quark_abi.py and quark_abi.h: the same names, the
//   numbers the wasmtime host's run loop and C trampoline need, and the order
//   of the trampoline's status codes, written once for both languages.
import type { Tables } from "./tables";
import type { Text } from "../../abi/schema";
import { evaluate, header } from "./text";

const SOURCE = ["abi/machine.ts"];

/** Numbers the wasmtime host needs, by the name kernel/abi.ts gives them. */
const HOST_NUMBERS = [
  "ABI_VERSION", "INVOKE_TRAPPED", "INVOKE_NOENTRY", "RUN_IDLE", "RUN_BUSY", "RUN_HALT", "DEADLINE_INPUT", "DEADLINE_NEVER",
  "BOOT_UNTIL_READY", "BOOT_QUIET", "BOOT_INTERACTIVE", "BOOT_TTY", "EXIT_NOTHING_CAN_WAKE", "EXIT_KERNEL_REFUSED", "EXIT_BAD_IMAGE",
  "EXIT_KERNEL_TRAP", "EXIT_INTERRUPTED", "CONTROL_BACKLOG", "PID_KERNEL",
  "ENTRY_START", "ENTRY_HANDLE", "ENTRY_NOTIFY", "ENTRY_SAVE", "ENTRY_COUNT", "SPAWN_STAGE", "SPAWN_SWAP", "SPAWN_DISCARD",
];

function machineNumbers(t: Tables): Map<string, number> {
  const all = new Map<string, number>();
  for (const g of t.machine.machine) for (const c of g.rows) all.set(c.name, evaluate(c.value));
  return all;
}

function hostNumbers(t: Tables): Array<[string, number]> {
  const all = machineNumbers(t);
  return HOST_NUMBERS.map((n) => {
    if (!all.has(n)) throw new Error(`abi: ${n} is not in abi/machine.ts`);
    return [n, all.get(n)!];
  });
}

function texts(t: Tables): Text[] {
  return t.machine.texts;
}

function tsTexts(t: Tables): string {
  const lines = texts(t).map((x) => `export const ${x.name} = ${JSON.stringify(x.value)};${x.doc ? ` // ${x.doc}` : ""}`);
  const entries = t.machine.entryExports.map((e) => `  [abi.${e.name}, ${JSON.stringify(e.value)}],`);
  return header(SOURCE) + `//
// Names the tools and both hosts share: the image's custom sections and the
// modules' names in their Wasm name sections.
import * as abi from "../../kernel/abi";

${lines.join("\n")}

/** The export a process's entry point has, by ENTRY_* number. */
export const ENTRY_EXPORTS: ReadonlyMap<number, string> = new Map([
${entries.join("\n")}
]);

/** The host functions each instance imports from module "host". */
export const HOST_IMPORTS = ${JSON.stringify(Object.fromEntries(["kernel", "hal"].map((i) => [i, t.machine.hostImports.filter((h) => h.importer === i && h.module === "host").map((h) => h.name)])))} as const;
`;
}

function python(t: Tables): string {
  const nums = hostNumbers(t).map(([n, v]) => `${n} = ${v}`);
  const strs = texts(t).map((x) => `${x.name} = ${JSON.stringify(x.value)}${x.doc ? `  # ${x.doc}` : ""}`);
  const entries = t.machine.entryExports.map((e) => `"${e.name}": "${e.value}"`).join(", ");
  const hostFuncs = t.machine.hostImports.filter((h) => h.importer === "kernel" && h.module === "host").map((h) => JSON.stringify(h.name));
  return header(SOURCE, "#") + `"""The constants of the machine ABI the wasmtime host needs (abi/machine.ts).

The same numbers reach every image in its quark.abi section; these are for
code that runs before an image is read, and for names no image carries.
"""

${nums.join("\n")}

${strs.join("\n")}

# The export of each entry point, by the name of its ENTRY_* constant.
ENTRY_EXPORTS = {${entries}}
# The host functions the kernel imports from module "host".
KERNEL_HOST_IMPORTS = (${hostFuncs.join(", ")},)
# The order of the status codes quark_shim_configure reads (the enum in quark_abi.h).
TRAMPOLINE_CODES = (${t.machine.trampolineCodes.map((c) => JSON.stringify(c)).join(", ")},)
`;
}

function cHeader(t: Tables): string {
  const nums = hostNumbers(t).map(([n, v]) => `#define QUARK_${n} (${v})`);
  const strs = texts(t).map((x) => `#define QUARK_${x.name} ${JSON.stringify(x.value)}${x.doc ? ` /* ${x.doc.replace(/\*\//g, "* /")} */` : ""}`);
  const codes = t.machine.trampolineCodes.map((c) => `  C_${c},`);
  return header(SOURCE) + `// The machine ABI as the wasmtime host's C trampoline (shim.c) needs it.
#ifndef QUARK_ABI_H
#define QUARK_ABI_H

${nums.join("\n")}

${strs.join("\n")}

// The status codes quark_shim_configure reads, in the order quark_abi.py's
// TRAMPOLINE_CODES passes them (their values come from the image's quark.abi).
enum {
${codes.join("\n")}
  C_COUNT
};

#endif
`;
}

/** The `@external` declarations of what `importer` imports, from the table. */
function imports(t: Tables, importer: string): string {
  return t.machine.hostImports.filter((h) => h.importer === importer).map((h) =>
    `/** ${h.doc} */\n@external("${h.module}", "${h.name}")\nexport declare function ${h.localName}(${h.params.join(", ")}): ${h.result || "void"};`).join("\n\n");
}

/** kernel/host.ts: the kernel's only ways out, declared from the table. */
function kernelImports(t: Tables): string {
  return header(SOURCE) + `//
// The machine: functions the host and the HAL provide to the kernel
// (docs/machine-abi.md). Nothing else in the kernel talks to the outside.

${imports(t, "kernel")}
`;
}

/** hal/host.ts: the HAL's only ways out (the clock, the console, randomness). */
function halImports(t: Tables): string {
  return header(SOURCE) + `//
// The machine: what the host provides to the HAL's device models
// (docs/machine-abi.md). Nothing else in the HAL talks to the outside.

${imports(t, "hal")}
`;
}

export function emitHost(t: Tables): Array<[string, string]> {
  return [
    ["kernel/host.ts", kernelImports(t)],
    ["hal/host.ts", halImports(t)],
    ["tools/lib/abi-texts.ts", tsTexts(t)],
    ["tools/host-wasmtime/quark_abi.py", python(t)],
    ["tools/host-wasmtime/quark_abi.h", cHeader(t)],
  ];
}
