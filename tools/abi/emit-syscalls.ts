// The syscall layer, written from abi/syscalls.ts:
// - kernel/syscall.ts: the generic `syscall(n, a0..a7)` entry: how many
//   leading arguments of each syscall are 32-bit (NARROW), and one dispatch on
//   the number to the hand-written handlers.
// - kernel/exports.ts: every syscall as a kernel export under its ABI name
//   (kernel/index.ts re-exports it), so a process imports it from "quark".
// - userland/lib/sys.ts: the declarations processes import.
import type { Tables } from "./tables";
import type { Syscall } from "../../abi/schema";
import { header } from "./text";

const SOURCE = ["abi/syscalls.ts"];

const is32 = (s: Syscall, i: number) => s.args[i].width !== "i64";

/** How many leading arguments are 32-bit; the table's order puts every i64 after them. */
function narrowCount(s: Syscall): number {
  let k = 0;
  while (k < s.args.length && is32(s, k)) k++;
  if (s.args.slice(k).some((a) => a.width !== "i64")) throw new Error(`abi: ${s.name}: a 32-bit argument after an i64 one`);
  // The generic entry checks and narrows four arguments (argsFit, x0..x3).
  if (k > 4) throw new Error(`abi: ${s.name}: more than four 32-bit arguments`);
  return k;
}

/** Handlers grouped by the kernel file that exports them, in first-use order. */
function byFile(t: Tables): Map<string, Syscall[]> {
  const files = new Map<string, Syscall[]>();
  for (const s of t.syscalls) files.set(s.file, [...(files.get(s.file) ?? []), s]);
  return files;
}

function dispatch(t: Tables): string {
  const sorted = [...t.syscalls].sort((a, b) => a.number - b.number);
  const count = sorted[sorted.length - 1].number + 1;
  const narrow = new Array<number>(count).fill(0);
  for (const s of sorted) narrow[s.number] = narrowCount(s);
  const imports = [...byFile(t)].map(([file, list]) =>
    `import { ${[...new Set(list.map((s) => s.handler))].join(", ")} } from "./${file}";`);
  const cases = sorted.map((s) => {
    const args = s.args.map((a, i) => (is32(s, i) ? `x${i}` : `a${i}`)).join(", ");
    return `    case ${s.number}: return ${s.handler}(${args}); // ${s.name}`;
  });
  return header(SOURCE) + `//
// The generic syscall entry: one dispatch on the syscall number to the same
// handlers the typed imports reach directly. Languages and tools that prefer
// one entry use it, and so does the hostile-syscall test. Every argument
// arrives as i64; a 32-bit one (a slot, index, pointer, length or rights)
// must be an i32 or u32 bit pattern: a wider value is refused with E_ARG, not
// cut, so no value traps the kernel.
import { E_ARG, E_NOSYS } from "./abi";
${imports.join("\n")}

// How many leading arguments of each syscall are 32-bit, by syscall number.
const NARROW: StaticArray<u8> = [${narrow.join(", ")}];

@inline function narrow(v: i64): bool { return v >= -0x80000000 && v <= 0xffffffff; }

function argsFit(n: i32, a0: i64, a1: i64, a2: i64, a3: i64): bool {
  const k = <i32>unchecked(NARROW[n]);
  return (k < 1 || narrow(a0)) && (k < 2 || narrow(a1)) && (k < 3 || narrow(a2)) && (k < 4 || narrow(a3));
}

export function syscall(n: i32, a0: i64, a1: i64, a2: i64, a3: i64, a4: i64, a5: i64, a6: i64, a7: i64): i64 {
  if (n <= 0 || n >= NARROW.length) return E_NOSYS;
  if (!argsFit(n, a0, a1, a2, a3)) return E_ARG;
  const x0 = <i32>a0, x1 = <i32>a1, x2 = <i32>a2, x3 = <i32>a3;
  switch (n) {
${cases.join("\n")}
  }
  return E_NOSYS;
}
`;
}

function exportsFile(t: Tables): string {
  const lines = [...byFile(t)].map(([file, list]) => {
    const names = list.map((s) => (s.handler === s.name ? s.name : `${s.handler} as ${s.name}`));
    return `export { ${names.join(", ")} } from "./${file}";`;
  });
  return header(SOURCE) + `//
// Every syscall as a kernel export under its ABI name: processes import these
// from module "quark", and kernel/index.ts re-exports this file.
export { syscall } from "./syscall";
${lines.join("\n")}
`;
}

const AS_TYPE = { i32: "i32", u32: "u32", usize: "usize", i64: "i64" } as const;

function sysFile(t: Tables): string {
  const decls = t.syscalls.map((s) => {
    const params = s.args.map((a) => `${a.name}: ${AS_TYPE[a.width]}`).join(", ");
    return `// ${s.doc}\n@external("quark", "${s.name}") export declare function ${s.name}(${params}): ${s.result};`;
  });
  return header(SOURCE) + `//
// The raw syscalls: each is a kernel export imported from module "quark".
// Services normally use the wrappers in ipc.ts, caps.ts and log.ts instead.
${decls.join("\n")}
@external("quark", "syscall") export declare function syscall(n: i32, a0: i64, a1: i64, a2: i64, a3: i64, a4: i64, a5: i64, a6: i64, a7: i64): i64;
`;
}

export function emitSyscalls(t: Tables): Array<[string, string]> {
  return [["kernel/syscall.ts", dispatch(t)], ["kernel/exports.ts", exportsFile(t)], ["userland/lib/sys.ts", sysFile(t)]];
}
