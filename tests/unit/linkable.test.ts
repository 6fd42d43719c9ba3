// The hosts link a service only to syscalls (tools/lib/linkable.ts). The list
// comes from kernel/abi.ts's SYS_* constants: every one must be a kernel
// export, and every kernel export must be a syscall, a loader import, an env
// function, or part of the machine ABI the host drives — never linkable.
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import * as abi from "../../kernel/abi";
import { retiredSyscalls } from "../../abi/syscalls";
import { compileModule } from "../../tools/lib/compile";
import { repoRoot } from "../../tools/lib/root";
import { ENV_IMPORTS, LOADER_IMPORTS, linkTarget, syscallExports } from "../../tools/lib/linkable";

const root = repoRoot();
const HOST_DRIVEN = ["boot_buffer", "boot", "run", "next_deadline", "exit_code", "fault_cause", "memory"];

describe("what a service may link", () => {
  it("is every syscall of the ABI, each a kernel export, and nothing the host drives", async () => {
    const kernel = await compileModule({ kind: "kernel", entry: join(root, "kernel", "index.ts"), root });
    const exports = WebAssembly.Module.exports(new WebAssembly.Module(kernel.wasm as Uint8Array<ArrayBuffer>)).map((e) => e.name);
    const syscalls = syscallExports(abi);
    expect(syscalls.size).toBe(abi.SYS_COUNT - retiredSyscalls.length); // SYS_1 .. SYS_(COUNT-1) but the retired, and the generic entry
    for (const r of retiredSyscalls) expect(exports, r.name).not.toContain(r.name);
    for (const name of syscalls) expect(exports, name).toContain(name);
    for (const name of [...LOADER_IMPORTS, ...ENV_IMPORTS.map((n) => `env_${n}`)]) expect(exports, name).toContain(name);
    const linkable = new Set([...syscalls, ...LOADER_IMPORTS, ...ENV_IMPORTS.map((n) => `env_${n}`)]);
    const rest = exports.filter((e) => !linkable.has(e));
    expect(rest.sort()).toEqual([...HOST_DRIVEN].sort());
    for (const name of HOST_DRIVEN) expect(linkTarget(syscalls, "quark", name)).toHaveProperty("refused");
  });

  it("refuses other modules and names, saying which", () => {
    const syscalls = syscallExports(abi);
    expect(linkTarget(syscalls, "quark", "call")).toEqual({ export: "call" });
    expect(linkTarget(syscalls, "env", "abort")).toEqual({ export: "env_abort" });
    expect(linkTarget(syscalls, "quark", "boot")).toEqual({ refused: expect.stringMatching(/^import quark\.boot is not a syscall/) });
    expect(linkTarget(syscalls, "env", "memory")).toEqual({ refused: expect.stringMatching(/^import env\.memory is not provided/) });
    expect(linkTarget(syscalls, "wasi_snapshot_preview1", "fd_write")).toHaveProperty("refused");
    expect(linkTarget(syscalls, "quark", "SYS_CALL")).toHaveProperty("refused");
  });
});
