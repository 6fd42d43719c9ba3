// A service's entry points must be functions of (i32, i32) -> i32
// (docs/machine-abi.md, *Process exports*): the wasmtime engine's C trampoline
// calls them unchecked, and V8 would coerce anything else, so the board
// refuses a module that exports one under another type, for every engine.
// Read from the module's type, import, function and export sections, without
// an engine.
import { ENTRY_EXPORTS } from "../lib/abi-texts";
import { readImports, readSections, readU32, WasmFormatError } from "../lib/wasm-sections";

const SECTION_TYPE = 1, SECTION_FUNCTION = 3, SECTION_EXPORT = 7;
const FUNC_TYPE = 0x60, I32 = 0x7f, EXPORT_FUNC = 0;
const ENTRY_NAMES = new Set(ENTRY_EXPORTS.values());

/** Each type of the type section as its signature's bytes: "params/results". */
function types(bytes: Uint8Array, start: number, end: number): string[] {
  const out: string[] = [];
  let { value: n, next: at } = readU32(bytes, start);
  for (; n > 0; n--) {
    if (bytes[at] !== FUNC_TYPE) throw new WasmFormatError(`type at offset ${at} is not a function type`);
    const p = readU32(bytes, at + 1);
    const params = bytes.subarray(p.next, p.next + p.value);
    const r = readU32(bytes, p.next + p.value);
    const results = bytes.subarray(r.next, r.next + r.value);
    at = r.next + r.value;
    if (at > end) throw new WasmFormatError("the type section is truncated");
    out.push(`${[...params].join(",")}/${[...results].join(",")}`);
  }
  return out;
}

function name(bytes: Uint8Array, at: number): { text: string; next: number } {
  const n = readU32(bytes, at);
  return { text: new TextDecoder().decode(bytes.subarray(n.next, n.next + n.value)), next: n.next + n.value };
}

const ENTRY_TYPE = `${I32},${I32}/${I32}`;

/** Why the module's entry exports cannot be called as entries, or undefined when they can. */
export function entryRefusal(wasm: Uint8Array): string | undefined {
  const sections = readSections(wasm);
  const find = (id: number) => sections.find((s) => s.id === id);
  const exp = find(SECTION_EXPORT);
  if (!exp) return undefined;
  const typeSection = find(SECTION_TYPE), funcSection = find(SECTION_FUNCTION);
  const sigs = typeSection ? types(wasm, typeSection.start, typeSection.end) : [];
  const funcTypes: number[] = readImports(wasm).filter((i) => i.kind === "function").map(() => -1); // imported: never an entry here
  if (funcSection) {
    let { value: n, next: at } = readU32(wasm, funcSection.start);
    for (; n > 0; n--) { const t = readU32(wasm, at); funcTypes.push(t.value); at = t.next; }
  }
  let { value: n, next: at } = readU32(wasm, exp.start);
  for (; n > 0; n--) {
    const nm = name(wasm, at);
    const kind = wasm[nm.next];
    const index = readU32(wasm, nm.next + 1);
    at = index.next;
    if (!ENTRY_NAMES.has(nm.text)) continue;
    const sig = kind === EXPORT_FUNC ? sigs[funcTypes[index.value]] : undefined;
    if (sig !== ENTRY_TYPE) return `exports ${nm.text}, but not as (i32, i32) -> i32`;
  }
  return undefined;
}
