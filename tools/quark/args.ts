// A small, strict argument parser: known flags only, so a typo is an error
// rather than a silently ignored option.
export interface FlagSpec { [name: string]: "bool" | "string"; }

export class UsageError extends Error {}

export function parseArgs(argv: string[], spec: FlagSpec): { flags: Record<string, string | boolean>; rest: string[] } {
  const flags: Record<string, string | boolean> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") { rest.push(...argv.slice(i + 1)); break; }
    if (!a.startsWith("--")) { rest.push(a); continue; }
    const eq = a.indexOf("=");
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const kind = spec[name];
    if (kind === undefined) {
      const known = Object.keys(spec).map((k) => `--${k}`).join(", ");
      throw new UsageError(`unknown option --${name}${known ? ` (options: ${known})` : ""}`);
    }
    if (kind === "bool") {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
    } else {
      const v = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined || (eq < 0 && v.startsWith("--"))) throw new UsageError(`--${name} needs a value`);
      flags[name] = v;
    }
  }
  return { flags, rest };
}

export function oneOf<T extends string>(name: string, v: string | boolean | undefined, allowed: readonly T[], dflt: T): T {
  if (v === undefined) return dflt;
  if (typeof v !== "string" || !(allowed as readonly string[]).includes(v)) {
    throw new UsageError(`--${name} must be one of ${allowed.join(", ")} (got ${String(v)})`);
  }
  return v as T;
}
