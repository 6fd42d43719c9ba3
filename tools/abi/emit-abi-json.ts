// tools/lib/abi-json.ts: every constant of kernel/abi.ts (with abi-boot.ts and
// abi-hal.ts) as the JSON `quark build` writes into an image's quark.abi
// section, keys sorted, and the syscalls' kernel export names. Computed here
// from the generated constants so that no boot walks the ~400 exports of the
// module to learn them (tools/lib/image-check.ts compares an image's section
// with these bytes; tools/lib/linkable.ts links against the names).
import { createHash } from "node:crypto";
import { evaluate, header } from "./text";

const FILES = ["kernel/abi.ts", "kernel/abi-boot.ts", "kernel/abi-hal.ts"];
const CONST = /^export const ([A-Z][A-Z0-9_]*) = ([^;]+);/;

/** The constants of the generated kernel ABI files, by name, sorted as JSON.stringify writes them for the image. */
function constants(generated: Map<string, string>): [string, number][] {
  const all: [string, number][] = [];
  for (const f of FILES) {
    const text = generated.get(f);
    if (text === undefined) throw new Error(`abi: ${f} must be generated before abi-json.ts`);
    for (const line of text.split("\n")) {
      const m = CONST.exec(line);
      if (m) all.push([m[1], evaluate(m[2])]);
    }
  }
  return all.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function emitAbiJson(generated: Map<string, string>): [string, string] {
  const table = constants(generated);
  const json = JSON.stringify(Object.fromEntries(table));
  const syscalls = table.filter(([k]) => k.startsWith("SYS_") && k !== "SYS_COUNT").map(([k]) => k.slice(4).toLowerCase());
  const text = header(["abi/*.ts (the constants of " + FILES.join(", ") + ")"]) +
    "//\n// The image's quark.abi section as this checkout's build writes it, and the\n" +
    "// syscalls' kernel export names: what a boot needs of the ABI, without walking\n" +
    "// the kernel/abi.ts module. tests/unit/abi.test.ts checks both against it.\n\n" +
    `export const ABI_JSON = ${JSON.stringify(json)};\n\n` +
    "/** ABI_JSON's sha256: what a cache keyed by the ABI names it by, without hashing ABI_JSON at every boot. */\n" +
    `export const ABI_SHA256 = "${createHash("sha256").update(json).digest("hex")}";\n\n` +
    "/** The kernel export of each syscall: SYS_X's lowercase name without `SYS_`. */\n" +
    `export const SYSCALL_EXPORTS: readonly string[] = ${JSON.stringify(syscalls)};\n`;
  return ["tools/lib/abi-json.ts", text];
}
