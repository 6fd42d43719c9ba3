// How the commands went, for scripts: every refusal is printed through here,
// which keeps the worst status since the last `status` command. `quark ctl`
// ends its commands with `status TAG` and exits with the number it prints
// (README, "The shell"): 0 every command ran, 1 the system refused one (no
// such service, a refused request, a start that failed), 2 one was not a
// command the shell knows or lacked a word it needs.
import { println } from "./console";
import { EXIT_SHELL_REFUSED, EXIT_SHELL_USAGE } from "../lib";

const STATUS_OK = 0;
const STATUS_REFUSED = EXIT_SHELL_REFUSED;
const STATUS_USAGE = EXIT_SHELL_USAGE;

let worst = STATUS_OK;

/** The system refused what a command asked: say why. */
export function refused(text: string): void {
  println(text);
  markRefused();
}

/** The system refused, and the answer (JSON) already says so. */
export function markRefused(): void {
  if (worst < STATUS_REFUSED) worst = STATUS_REFUSED;
}

/** The command itself is wrong (unknown, a word missing, a bad number): say why. */
export function misused(text: string): void {
  println(text);
  worst = STATUS_USAGE;
}

/** The worst status since the last call, which starts a new count. */
export function takeStatus(): i32 {
  const s = worst;
  worst = STATUS_OK;
  return s;
}
