// Trap kinds: the one word the board prints for a service's trap
// ("quark: echo (pid 3) trapped: unreachable"), whichever engine ran it. Each
// engine words its traps its own way (V8's RuntimeError messages, wasmtime's
// trap messages), so a row lists a fragment of each engine's message for it;
// the first row with a fragment in the message names the kind. The engine's
// whole message is printed only with --verbose. Rows for causes the kernel
// already names (a CPU budget, a stack window, an abort, a memory limit) are
// not needed: those trap with `unreachable` and the kernel's fault line says why.
export interface TrapKind {
  /** What the console says: wasmtime's own wording, without its "wasm trap: " prefix. */
  kind: string;
  /** Fragments of V8's message (Node) for this trap. */
  v8: string[];
  /** Fragments of wasmtime's message for this trap. */
  wasmtime: string[];
}

export const trapKinds: TrapKind[] = [
  { kind: "unreachable", v8: ["unreachable"], wasmtime: ["`unreachable` instruction executed"] },
  { kind: "out of bounds memory access", v8: ["memory access out of bounds"], wasmtime: ["out of bounds memory access"] },
  { kind: "out of bounds table access", v8: ["table index is out of bounds"], wasmtime: ["out of bounds table access"] },
  { kind: "integer divide by zero", v8: ["divide by zero", "remainder by zero"], wasmtime: ["integer divide by zero"] },
  { kind: "integer overflow", v8: ["divide result unrepresentable", "integer overflow"], wasmtime: ["integer overflow"] },
  { kind: "invalid conversion to integer", v8: ["float unrepresentable in integer range"], wasmtime: ["invalid conversion to integer"] },
  { kind: "call stack exhausted", v8: ["Maximum call stack size exceeded"], wasmtime: ["call stack exhausted"] },
  { kind: "indirect call type mismatch", v8: ["function signature mismatch"], wasmtime: ["indirect call type mismatch", "uninitialized element"] },
  { kind: "misaligned memory access", v8: ["unaligned"], wasmtime: ["misaligned memory access"] },
  { kind: "out of fuel", v8: [], wasmtime: ["all fuel consumed"] },
];

/** The word for a trap no row names. */
export const TRAP_OTHER = "trap";
