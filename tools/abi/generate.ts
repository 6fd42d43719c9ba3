// The ABI generator: every file written from the tables in abi/, by path.
// Each emitter takes the tables and returns [repo-relative path, full text]
// pairs; adding an output is one import and one line in EMITTERS.
// `npm run abi` writes them (tools/abi/main.ts); tests/unit/abi.test.ts checks
// that the checked-in files equal a fresh generate().
import { loadTables, type Tables } from "./tables";
import { emitAbi } from "./emit-abi";
import { emitProtocols } from "./emit-protocols";
import { emitSyscalls } from "./emit-syscalls";
import { emitNames } from "./emit-names";
import { emitHost } from "./emit-host";
import { emitDocs } from "./emit-docs";
import { emitBootTable } from "./emit-boot-table";
import { emitManifest } from "./emit-manifest";
import { emitHal } from "./emit-hal";
import { emitQpu } from "./emit-qpu";
import { emitKernelTexts } from "./emit-kernel-texts";
import { emitAbiJson } from "./emit-abi-json";

type Emitter = (t: Tables) => Array<[string, string]>;

const EMITTERS: Emitter[] = [
  emitAbi,
  emitProtocols,
  emitSyscalls,
  emitNames,
  emitHost,
  emitDocs,
  emitBootTable, emitManifest, emitHal,
  emitQpu,
  emitKernelTexts,
];

/** Every generated file: repo-relative path -> full text. */
export function generate(root: string): Map<string, string> {
  const tables = loadTables(root);
  const out = new Map<string, string>();
  for (const emit of EMITTERS) {
    for (const [path, text] of emit(tables)) {
      if (out.has(path)) throw new Error(`abi: two emitters write ${path}`);
      out.set(path, text);
    }
  }
  // Last: it reads the constants the emitters above wrote.
  const [path, text] = emitAbiJson(out);
  out.set(path, text);
  return out;
}
