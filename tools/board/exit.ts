// The board's exit statuses and the lines that go with them: the same under
// every engine, since only the board says them (docs/machine-abi.md, "Exit
// status"). After RUN_HALT the status is the kernel's exit_code().
import * as abi from "../../kernel/abi";
import type { KernelTrap, ServiceTrap } from "./engine";
import { trapKinds, TRAP_OTHER } from "../../abi/traps";
import { errorName, faultText } from "../lib/names";

// The statuses are the machine ABI's (abi/machine.ts). EXIT_BAD_IMAGE is also
// the status when this machine cannot boot an image (engine setup, control socket).
export { EXIT_BAD_IMAGE, EXIT_KERNEL_REFUSED, EXIT_NOTHING_CAN_WAKE } from "../../kernel/abi";
/** The kernel itself trapped: never a service's doing. */
export const KERNEL_TRAP_EXIT = abi.EXIT_KERNEL_TRAP;

export function bootRefused(status: number): string {
  return `quark: kernel.boot() failed: ${errorName(status)} (${status})`;
}

/**
 * The kernel itself trapped. The line is the same under every engine; the
 * engine's message (V8 keeps one for a trap under a service's invoke, the
 * wasmtime trampolines do not) comes only with --verbose.
 */
export function kernelTrapped(t: KernelTrap, verbose = false): string {
  const where = t.pid >= 0 ? ` while serving pid ${t.pid}` : "";
  return `quark: the kernel trapped${where}${verbose && t.message ? `: ${t.message}` : ""} (a kernel bug; halting)`;
}

export function noRunResult(r: number): string {
  return `quark: kernel.run() returned ${r}, which is no RUN_* value`;
}

/** One word for a trap, the same under every engine (abi/traps.ts). */
export function trapKind(message: string): string {
  for (const row of trapKinds) if ([...row.v8, ...row.wasmtime].some((f) => message.includes(f))) return row.kind;
  return TRAP_OTHER;
}

/**
 * A service trapped (the kernel carries on): its name, pid and why. A trap the
 * kernel caused at a limit (CPU budget, stack window, abort, memory) is named
 * by the kernel's cause, in the words of its own fault line, since the
 * engine saw only the instruction that stopped it (unreachable); any other is
 * the trap's kind. --verbose adds the engine's message.
 */
export function serviceTrapped(t: ServiceTrap, verbose: boolean): string {
  const who = t.name ? `${t.name} (pid ${t.pid})` : `pid ${t.pid}`;
  const limit = t.cause !== undefined && t.cause !== 0 && t.cause !== abi.FAULT_TRAP && t.cause !== abi.FAULT_START;
  const why = limit ? faultText(t.cause!) : `trapped: ${trapKind(t.message)}`;
  return `quark: ${who} ${why}${verbose ? ` (${t.message})` : ""}`;
}
