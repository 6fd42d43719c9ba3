// Interface versions and the constraints a dependency puts on them. A version
// is MAJOR.MINOR.PATCH packed into a u32 (kernel/abi.ts VERSION_*), so init
// compares them as integers; a constraint is a half-open range [min, max).

import * as abi from "../../kernel/abi";

export interface Problem { problem: string }
export interface Range { min: number; max: number; text: string }

const MAJOR_MAX = (0xffffffff >>> abi.VERSION_MAJOR_SHIFT);
const VERSION = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?$/;

export function packVersion(major: number, minor: number, patch: number): number {
  return ((major << abi.VERSION_MAJOR_SHIFT) | (minor << abi.VERSION_MINOR_SHIFT) | patch) >>> 0;
}

export function formatVersion(v: number): string {
  return `${v >>> abi.VERSION_MAJOR_SHIFT}.${(v >>> abi.VERSION_MINOR_SHIFT) & abi.VERSION_PART_MAX}.${v & abi.VERSION_PART_MAX}`;
}

/** "1", "1.2" or "1.2.3"; the parts given, for ^ and ~. */
function parseParts(text: string): { parts: number[] } | Problem {
  const m = VERSION.exec(text);
  if (!m) return { problem: `"${text}" is not a version: write MAJOR.MINOR.PATCH, e.g. "1.2.0"` };
  const parts = m.slice(1).filter((p) => p !== undefined).map(Number);
  if (parts[0] > MAJOR_MAX) return { problem: `major version ${parts[0]} is over ${MAJOR_MAX}` };
  const big = parts.slice(1).find((p) => p > abi.VERSION_PART_MAX);
  if (big !== undefined) return { problem: `version part ${big} is over ${abi.VERSION_PART_MAX}` };
  return { parts };
}

export function parseVersion(text: string): number | Problem {
  const p = parseParts(text);
  if ("problem" in p) return p;
  const [major, minor = 0, patch = 0] = p.parts;
  return packVersion(major, minor, patch);
}

/**
 * A constraint: space-separated terms, all of which must hold: `^1.2` (same
 * major, at least 1.2), `~1.2` (same major and minor), `>=1.2`, `>1.2`,
 * `<2`, `<=1.4`, `=1.2.3` or a bare `1.2.3` (exactly).
 */
export function parseConstraint(text: string): Range | Problem {
  let min = 0, max = abi.VERSION_ANY_MAX;
  const terms = text.trim().split(/\s+/);
  for (const term of terms) {
    const m = /^(\^|~|>=|<=|>|<|=)?(.*)$/.exec(term)!;
    const op = m[1] ?? "=";
    const p = parseParts(m[2]);
    if ("problem" in p) return { problem: `in "${term}": ${p.problem}` };
    const [major, minor = 0, patch = 0] = p.parts;
    const v = packVersion(major, minor, patch);
    const bump = (level: number): number => level === 0 ? packVersion(major + 1, 0, 0) : level === 1 ? packVersion(major, minor + 1, 0) : v + 1;
    let lo = 0, hi = abi.VERSION_ANY_MAX;
    switch (op) {
      case "^": lo = v; hi = major > 0 || p.parts.length === 1 ? bump(0) : minor > 0 || p.parts.length === 2 ? bump(1) : bump(2); break;
      case "~": lo = v; hi = p.parts.length === 1 ? bump(0) : bump(1); break;
      case ">=": lo = v; break;
      case ">": lo = v + 1; break;
      case "<": hi = v; break;
      case "<=": hi = v + 1; break;
      case "=": lo = v; hi = p.parts.length === 3 ? v + 1 : bump(p.parts.length - 1); break;
    }
    min = Math.max(min, lo);
    max = Math.min(max, hi);
  }
  if (min >= max) return { problem: `"${text}" allows no version at all` };
  return { min, max, text: text.trim() };
}

export function satisfies(v: number, r: { min: number; max: number }): boolean {
  return v >= r.min && v < r.max;
}
