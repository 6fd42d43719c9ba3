// What a service module may import (docs/machine-abi.md, spawn). The hosts
// link a service against this list and nothing else, so a service can never
// reach what the host drives (boot, run, boot_buffer, exit_code, ...):
// - from module "quark", the syscalls: export `x` for each constant SYS_X of
//   kernel/abi.ts (the image's quark.abi section carries the same constants),
//   and the generic entry `syscall`;
// - from module "env", what AssemblyScript emits (abort, trace, seed), linked
//   to the kernel's `env_<name>`;
// - the metering imports, which the loader adds to every service and refuses
//   in a module that names them itself (tools/loader/).
import { SYSCALL_EXPORTS } from "./abi-json";

export const GENERIC_SYSCALL = "syscall";
export const ENV_IMPORTS: readonly string[] = ["abort", "trace", "seed"];
export const LOADER_IMPORTS: readonly string[] = ["fuel", "fuel_out", "stack", "stack_out", "mem_limit"];

/**
 * The kernel export names of every syscall: from the ABI's constants when
 * given (tests compare), else as the generator listed them (tools/lib/abi-json.ts),
 * which spares a boot the walk over kernel/abi.ts's exports.
 */
export function syscallExports(abi?: Record<string, unknown>): Set<string> {
  if (abi === undefined) return new Set<string>([GENERIC_SYSCALL, ...SYSCALL_EXPORTS]);
  const names = new Set<string>([GENERIC_SYSCALL]);
  for (const [k, v] of Object.entries(abi)) {
    if (k.startsWith("SYS_") && k !== "SYS_COUNT" && typeof v === "number") names.add(k.slice(4).toLowerCase());
  }
  return names;
}

/** The kernel export an import links to, or why it may not be linked. */
export function linkTarget(syscalls: Set<string>, module: string, name: string): { export: string } | { refused: string } {
  if (module === "quark" && (syscalls.has(name) || LOADER_IMPORTS.includes(name))) return { export: name };
  if (module === "env" && ENV_IMPORTS.includes(name)) return { export: `env_${name}` };
  if (module === "quark") return { refused: `import quark.${name} is not a syscall (a service may import only the syscalls of docs/machine-abi.md)` };
  return { refused: `import ${module}.${name} is not provided to services (only module "quark" syscalls and env.${ENV_IMPORTS.join("/")})` };
}

/** (module, name, kernel export) for every import a service may have: what an engine defines in its linker, by name. */
export function linkableImports(syscalls: Set<string>): [string, string, string][] {
  return [
    ...[...syscalls, ...LOADER_IMPORTS].sort().map((n): [string, string, string] => ["quark", n, n]),
    ...ENV_IMPORTS.map((n): [string, string, string] => ["env", n, `env_${n}`]),
  ];
}
