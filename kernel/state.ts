// Machine-wide state: halt, exit code, boot flags and the ready moment.
let halted = false;
let exitCode = 0;
let flags = 0;

export function halt(code: i32): void { if (!halted) { halted = true; exitCode = code; } }
export function isHalted(): bool { return halted; }
export function getExitCode(): i32 { return exitCode; }
export function bootFlags(): i32 { return flags; }
export function setBootFlags(f: i32): void { flags = f; }
