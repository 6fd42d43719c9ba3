// Emits kernel/texts.ts from abi/kernel-texts.ts: the kernel's console texts
// as one UTF-8 blob in a static data segment, and per text a constant that
// packs its offset in the blob and its length (offset << 8 | length), which
// kernel/console.ts's putt prints. One i32 constant per call site, as a
// string literal's address was, and no string objects in the kernel.
import { kernelTexts } from "../../abi/kernel-texts";
import { generatedHeader } from "./emit-boot-table";
import type { Tables } from "./tables";

const SRC = "abi/kernel-texts.ts";
/** Bits of a text's constant that hold its length. */
const LEN_BITS = 8;

export function emitKernelTexts(_t: Tables): Array<[string, string]> {
  const utf8 = new TextEncoder();
  const bytes: number[] = [];
  const consts: string[] = [];
  const seen = new Set<string>();
  for (const t of kernelTexts) {
    if (seen.has(t.name) || !/^KT_[A-Z0-9_]+$/.test(t.name)) throw new Error(`${SRC}: text ${t.name} is repeated or not named KT_*`);
    seen.add(t.name);
    const b = utf8.encode(t.value);
    if (b.length === 0 || b.length >= 1 << LEN_BITS) throw new Error(`${SRC}: ${t.name} is ${b.length} bytes (1 to ${(1 << LEN_BITS) - 1})`);
    const doc = t.doc ? `${JSON.stringify(t.value)}: ${t.doc}` : JSON.stringify(t.value);
    consts.push(`export const ${t.name}: u32 = ${(bytes.length << LEN_BITS) | b.length}; // ${doc}`);
    bytes.push(...b);
  }
  const rows: string[] = [];
  for (let i = 0; i < bytes.length; i += 24) rows.push("  " + bytes.slice(i, i + 24).join(", ") + ",");
  const text = [
    generatedHeader(SRC),
    "// The kernel's console texts, UTF-8, in one static data segment; each",
    `// constant is offset << ${LEN_BITS} | length (kernel/console.ts putt prints one).`,
    "",
    `export const KT_LEN_BITS = ${LEN_BITS};`,
    `export const KT_BLOB: usize = memory.data<u8>([`,
    ...rows,
    "]);",
    "",
    ...consts,
    "",
  ].join("\n");
  return [["kernel/texts.ts", text]];
}
