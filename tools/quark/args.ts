// Strict parsing from a command's spec (spec.ts) with Node's util.parseArgs:
// known options only, in any position, so a typo is an error naming the
// option and the nearest one, never a silently ignored flag.
import { parseArgs as nodeParseArgs } from "node:util";
import type { CommandSpec, OptionSpec } from "./spec";
import { didYouMean } from "./suggest";

export class UsageError extends Error {}

export type Flags = Record<string, string | boolean | undefined>;

export function parseCommand(argv: string[], spec: CommandSpec): { flags: Flags; rest: string[] } {
  const options = Object.fromEntries(spec.options.map((o) => [o.name, { type: o.type }]));
  let parsed: ReturnType<typeof nodeParseArgs>;
  try {
    parsed = nodeParseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (e) {
    throw new UsageError(explain(e as NodeJS.ErrnoException, spec));
  }
  const flags = parsed.values as Flags;
  for (const o of spec.options) checkValue(o, flags[o.name]);
  const rest = parsed.positionals;
  const { min, max } = spec.positionals;
  if (rest.length < min) throw new UsageError(`missing ${spec.args.split(" ")[rest.length] ?? "argument"}`);
  if (rest.length > max) throw new UsageError(`unexpected argument ${JSON.stringify(rest[max])}`);
  return { flags, rest };
}

/** A value of a closed set, or its default. */
export function oneOf<T extends string>(flags: Flags, o: { name: string; default?: string }): T {
  return (flags[o.name] ?? o.default) as T;
}

function checkValue(o: OptionSpec, v: string | boolean | undefined): void {
  if (typeof v !== "string") return;
  if (v === "") throw new UsageError(`--${o.name} needs a value`);
  if (o.values && !o.values.includes(v)) {
    throw new UsageError(`--${o.name} must be one of ${o.values.join(", ")} (got ${JSON.stringify(v)})${didYouMean(v, o.values)}`);
  }
}

// util.parseArgs's messages mention its own API ("To specify a positional
// argument ..."): one line in quark's words instead.
function explain(e: NodeJS.ErrnoException, spec: CommandSpec): string {
  const named = /'(-[^']*)'/.exec(e.message)?.[1] ?? "";
  const name = named.replace(/^-+/, "");
  if (e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const known = spec.options.filter((o) => !o.hidden).map((o) => `--${o.name}`);
    return `unknown option ${named}${didYouMean(`--${name}`, known)}`;
  }
  if (e.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const o = spec.options.find((x) => named.startsWith(`--${x.name}`));
    return o?.type === "boolean" ? `--${o.name} takes no value` : `--${o?.name ?? name} needs a value`;
  }
  return e.message.split("\n")[0];
}
