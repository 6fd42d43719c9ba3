// The lint that keeps ABI numbers and names out of hand-written code: outside
// abi/ and the files generated from it, no source file may
// - give an error code a number of its own (`E_ARG = -4`, `E_ARG: -4`),
//   compare a status with one (`r == -7`), or
//   spell two error names as strings on one line (a hand-typed name table: use errorName),
// - compare a deadline with -1 or -2 (DEADLINE_INPUT, DEADLINE_NEVER),
// - write an image section's name ("quark.abi", "quark.mod.", ...),
// - write the kernel module's name ("quark-kernel"),
// - in the kernel, write a string literal at all: its texts are
//   abi/kernel-texts.ts's, one UTF-8 blob (kernel/texts.ts) that keeps the
//   kernel within its 32 KiB.
// Comments may name them. Tests are not linted: they assert on what users
// see, names included.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";

export interface Violation {
  file: string;
  line: number;
  rule: "error-literal" | "error-name" | "deadline-sentinel" | "section-name" | "kernel-module-name" | "kernel-string";
  text: string;
}

/** The folders linted, and the kinds of file in them. */
export const LINTED = ["kernel", "userland", "hal", "tools", "bin"];
const CODE = /\.(ts|mjs|js|py|c|h|wat)$/;
/** A line that is only a comment (or a docstring line) in any of those languages. */
const COMMENT = /^\s*(?:\/\/|\/\*|\*|#|;;|""")/;

const RULES: Array<[Violation["rule"], RegExp]> = [
  ["error-literal", /\bE_[A-Z]+\s*[:=]\s*-\s*\d/],
  // A status compared with an error's number (-3 and below: -1 and -2 also mean "none" elsewhere).
  ["error-literal", /(?:===?|!==?)\s*-(?:[3-9]|[1-9]\d)\b/],
  ["error-name", /["'`]E_[A-Z]{2,}["'`]\s*,\s*["'`]E_[A-Z]{2,}["'`]/],
  ["deadline-sentinel", /deadline\w*\s*(?:===?|!==?|<=?|>=?)\s*-[12]\b|-[12]\s*(?:===?|!==?)\s*\w*deadline/i],
  ["section-name", /["'`]quark\.(?:(?:abi|modules|manifest|boot)\b|mod\.)/],
  ["kernel-module-name", /quark-kernel/],
];

// A quoted literal in the kernel (an import's or export's path aside).
const KERNEL_STRING = /["'`]/;
const IMPORT = /^\s*(?:import|export)\b.*\bfrom\s+["'][^"']+["'];?\s*(?:\/\/.*)?$|^\s*\}\s*from\s+["'][^"']+["'];?\s*$/;

/** A string the kernel would carry as data: not an import's path, a trailing comment, nor a compile-time ERROR("..."). */
function isKernelString(line: string): boolean {
  const code = line.replace(/\s\/\/.*$/, "");
  return KERNEL_STRING.test(code) && !IMPORT.test(code) && !/^\s*(?:if\s*\(.*\)\s*)?ERROR\(/.test(code);
}

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (CODE.test(name)) yield p;
  }
}

/** The variable a file assigns `next_deadline()` to, so `d === -2` is caught as well as `deadline === -2`. */
function deadlineVariables(text: string): RegExp | null {
  const names = [...text.matchAll(/\b(\w+)\s*=\s*[\w.]*next_deadline\(/g)].map((m) => m[1]);
  return names.length ? new RegExp(`\\b(?:${names.join("|")})\\s*(?:===?|!==?|<=?|>=?)\\s*-[12]\\b`) : null;
}

/** Every violation in one file's text. */
export function lintText(file: string, text: string): Violation[] {
  const out: Violation[] = [];
  const dvars = deadlineVariables(text);
  text.split("\n").forEach((line, i) => {
    if (COMMENT.test(line)) return;
    for (const [rule, re] of RULES) if (re.test(line)) out.push({ file, line: i + 1, rule, text: line.trim() });
    if (file.startsWith("kernel/") && isKernelString(line)) out.push({ file, line: i + 1, rule: "kernel-string", text: line.trim() });
    if (dvars?.test(line) && !out.some((v) => v.line === i + 1 && v.rule === "deadline-sentinel")) {
      out.push({ file, line: i + 1, rule: "deadline-sentinel", text: line.trim() });
    }
  });
  return out;
}

/** Every violation under `root`'s linted folders, skipping the generated files named in `generated`. */
export function lintTree(root: string, generated: Set<string>, folders = LINTED): Violation[] {
  const out: Violation[] = [];
  for (const folder of folders) {
    let top: string;
    try { top = join(root, folder); statSync(top); } catch { continue; }
    for (const p of files(top)) {
      const rel = relative(root, p).split(sep).join("/");
      if (generated.has(rel) || rel.startsWith("tools/abi/")) continue;
      out.push(...lintText(rel, readFileSync(p, "utf8")));
    }
  }
  return out;
}
