// The help texts, generated from the command specs (spec.ts) and the exit
// statuses of the ABI, so neither can say something the code does not do.
import { EXIT_BAD_IMAGE, EXIT_CONFORMANCE_BROKEN, EXIT_INTERRUPTED, EXIT_KERNEL_TRAP, EXIT_PANIC } from "../../kernel/abi";
import { COMMANDS, type CommandSpec, type OptionSpec } from "./spec";

/** quark's own exit statuses beside the machine's (docs/machine-abi.md). */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** Every status quark exits with and what it means; the README's table says the same (tests/unit/readme.test.ts). */
export const EXIT_CODES: [number, string][] = [
  [EXIT_OK, "success"],
  [EXIT_FAILED, "the command failed (a build error, a conformance failure, a path that cannot be read or written, a shell command refused under ctl, a service that failed to start under boot --until-ready, boot --strict or ctl)"],
  [EXIT_USAGE, "usage: an unknown command or option, a missing argument (a shell command ctl ran among them)"],
  [EXIT_BAD_IMAGE, "not a usable image (unreadable, damaged, from another checkout)"],
  [EXIT_KERNEL_TRAP, "the kernel trapped"],
  [EXIT_CONFORMANCE_BROKEN, "conformance: the run itself broke (the image did not boot or halted early, the suite's protocol was cut): its tests say nothing"],
  [EXIT_PANIC, "init failed to start, died or exited: the machine could not go on"],
  [EXIT_INTERRUPTED, "interrupted (Ctrl-C)"],
];

export function usageLine(c: CommandSpec): string {
  const opts = c.options.filter((o) => !o.hidden).map((o) => `[${optionUsage(o)}]`);
  return ["quark", c.name, c.args, ...opts].filter(Boolean).join(" ");
}

function optionUsage(o: OptionSpec): string {
  if (o.type === "boolean") return `--${o.name}`;
  return `--${o.name} ${o.values ? o.values.join("|") : o.value ?? "VALUE"}`;
}

export function generalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "quark — build, boot and check quark images",
    "",
    "usage: quark <command> [options]",
    "",
    "commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "exit codes:",
    ...EXIT_CODES.map(([code, what]) => `  ${String(code).padStart(3)}  ${what}`),
    "",
    "Run `quark COMMAND --help` (or `quark help COMMAND`) for one command's options and examples.",
  ].join("\n");
}

export function commandHelp(c: CommandSpec): string {
  const shown = c.options.filter((o) => !o.hidden);
  const width = Math.max(0, ...shown.map((o) => optionUsage(o).length));
  const lines = [`usage: ${usageLine(c)}`, "", c.summary[0].toUpperCase() + c.summary.slice(1) + ".", ...c.description];
  if (shown.length > 0) {
    lines.push("", "options:");
    for (const o of shown) lines.push(`  ${optionUsage(o).padEnd(width)}  ${o.help}${o.default ? ` (default: ${o.default})` : ""}`);
  }
  lines.push("", "examples:", ...c.examples.map((e) => `  ${e}`));
  return lines.join("\n");
}
