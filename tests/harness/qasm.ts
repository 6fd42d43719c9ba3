// The OpenQASM parser (userland/lib/qasm), compiled as a service compiles it
// (tests/harness/as/qasm.ts) and called from TypeScript: text in, job bytes
// or a "LINE:COL: message" error out.
import { compileModule } from "../../tools/lib/compile";
import { repoRoot } from "../../tools/lib/root";

const root = repoRoot();
export const QASM_ENTRY = `${root}/tests/harness/as/qasm.ts`;

interface Exports {
  memory: WebAssembly.Memory;
  textAt(): number;
  textRoom(): number;
  jobAt(): number;
  jobRoom(): number;
  parse(len: number, cap: number): number;
  errorLine(): number;
  errorColumn(): number;
  errorBytes(): number;
  messageAt(): number;
  scan(len: number): number;
}

export type Parsed =
  | { ok: true; job: Uint8Array }
  | { ok: false; code: number; error: string; line: number; column: number };

export interface QasmParser {
  /** Parses UTF-8 `text` (a string or its bytes) into a job of at most `cap` bytes. */
  parse(text: string | Uint8Array, cap?: number): Parsed;
  /** The job, or a thrown Error with the parser's message. */
  job(text: string, cap?: number): Uint8Array;
  /** The parser's raw entry, for timing: text already in place. */
  raw: Exports;
}

let loaded: Promise<QasmParser> | undefined;

export async function qasmWasm(): Promise<Uint8Array> {
  const { wasm } = await compileModule({ kind: "service", entry: QASM_ENTRY, root });
  return wasm;
}

export function qasmParser(): Promise<QasmParser> {
  loaded ??= (async () => {
    const module = new WebAssembly.Module((await qasmWasm()) as Uint8Array<ArrayBuffer>);
    const abort = () => { throw new Error("abort in the OpenQASM parser"); };
    const ex = new WebAssembly.Instance(module, { env: { abort, trace: () => {}, seed: () => 1 } }).exports as unknown as Exports;
    const enc = new TextEncoder();
    const parse = (text: string | Uint8Array, cap = ex.jobRoom()): Parsed => {
      const bytes = typeof text === "string" ? enc.encode(text) : text;
      if (bytes.length > ex.textRoom()) throw new Error(`a test program of ${bytes.length} bytes does not fit the harness`);
      new Uint8Array(ex.memory.buffer, ex.textAt(), bytes.length).set(bytes);
      const n = ex.parse(bytes.length, cap);
      if (n >= 0) return { ok: true, job: new Uint8Array(ex.memory.buffer, ex.jobAt(), n).slice() };
      const m = ex.errorBytes();
      const error = new TextDecoder().decode(new Uint8Array(ex.memory.buffer, ex.messageAt(), m));
      return { ok: false, code: n, error, line: ex.errorLine(), column: ex.errorColumn() };
    };
    return {
      parse,
      job(text: string, cap?: number): Uint8Array {
        const r = parse(text, cap);
        if (!r.ok) throw new Error(r.error);
        return r.job;
      },
      raw: ex,
    };
  })();
  return loaded;
}
