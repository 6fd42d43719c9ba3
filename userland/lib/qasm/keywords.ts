// The words OpenQASM gives a meaning, found by their FNV-1a hash in a small
// open-addressed table built once: a keyword costs the lexer one probe.
export const K_OPENQASM = 1;
export const K_INCLUDE = 2;
export const K_QREG = 3;
export const K_CREG = 4;
export const K_GATE = 5;
export const K_OPAQUE = 6;
export const K_MEASURE = 7;
export const K_RESET = 8;
export const K_BARRIER = 9;
export const K_IF = 10;
export const K_U = 11;
export const K_CX = 12;
export const K_PI = 13;
export const K_SIN = 14;
export const K_COS = 15;
export const K_TAN = 16;
export const K_EXP = 17;
export const K_LN = 18;
export const K_SQRT = 19;
// OpenQASM 3 only.
export const K_QUBIT = 20;
export const K_BIT = 21;
export const K_GPHASE = 22;
export const K_CTRL = 23;
export const K_NEGCTRL = 24;
export const K_INV = 25;
export const K_POW = 26;
export const K_PI3 = 27; // π
export const K_TAU = 28; // tau, τ
export const K_EULER = 29; // euler, ℇ
export const K_ARCSIN = 30;
export const K_ARCCOS = 31;
export const K_ARCTAN = 32;
export const K_ELSE = 33;
/** From here on: OpenQASM 3 statements this parser does not run. */
export const K_UNSUPPORTED = 34;

const WORDS: string[] = [
  "OPENQASM", "include", "qreg", "creg", "gate", "opaque", "measure", "reset", "barrier", "if", "U", "CX", "pi",
  "sin", "cos", "tan", "exp", "ln", "sqrt",
  "qubit", "bit", "gphase", "ctrl", "negctrl", "inv", "pow", "π", "tau", "euler", "arcsin", "arccos", "arctan", "else",
  "def", "for", "while", "const", "float", "int", "uint", "angle", "bool", "let", "input", "output", "defcal", "cal",
  "delay", "box", "duration", "stretch", "array", "complex", "return", "break", "continue", "end", "extern", "switch",
  "defcalgrammar", "pragma", "durationof",
];
// Second spellings of a keyword, and the keyword each spells.
const ALIASES: string[] = ["τ", "ℇ"];
const ALIAS_OF: i32[] = [K_TAU, K_EULER];

const SLOTS = 128; // a power of two, over twice the words
const slotHash = new StaticArray<u32>(SLOTS);
const slotWord = new StaticArray<i32>(SLOTS); // 0: empty
const slotText = new StaticArray<usize>(SLOTS);
const slotLen = new StaticArray<i32>(SLOTS);
let built = false;
// The words' bytes, kept alive for the module's lifetime (slotText points into them).
const kept = new Array<ArrayBuffer>();

function add(word: string, k: i32): void {
  const bytes = String.UTF8.encode(word);
  const at = changetype<usize>(bytes);
  const n = bytes.byteLength;
  let h: u32 = 0x811c9dc5;
  for (let i = 0; i < n; i++) h = (h ^ <u32>load<u8>(at + <usize>i)) * 0x01000193;
  let s = <i32>(h & (SLOTS - 1));
  while (unchecked(slotWord[s]) != 0) s = (s + 1) & (SLOTS - 1);
  unchecked(slotHash[s] = h);
  unchecked(slotWord[s] = k);
  unchecked(slotText[s] = at);
  unchecked(slotLen[s] = n);
  kept.push(bytes);
}

function build(): void {
  for (let i = 0; i < WORDS.length; i++) add(WORDS[i], i + 1 < K_UNSUPPORTED ? i + 1 : K_UNSUPPORTED);
  for (let i = 0; i < ALIASES.length; i++) add(ALIASES[i], ALIAS_OF[i]);
  built = true;
}

/** The keyword spelled by the `n` bytes at `at` (hash `h`), or 0. */
export function keywordOf(h: u32, at: usize, n: i32): i32 {
  if (!built) build();
  let s = <i32>(h & (SLOTS - 1));
  while (true) {
    const k = unchecked(slotWord[s]);
    if (k == 0) return 0;
    if (unchecked(slotHash[s]) == h && unchecked(slotLen[s]) == n && memory.compare(unchecked(slotText[s]), at, <usize>n) == 0) return k;
    s = (s + 1) & (SLOTS - 1);
  }
}
