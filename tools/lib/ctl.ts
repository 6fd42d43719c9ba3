// `quark ctl IMAGE COMMAND...`: boot an image, give its shell the commands
// on the console, and print only what the shell answered (the boot log and
// the services' log lines are left out). The image must have a shell (a
// service holding the console with read and init's endpoint).
import { bootNode } from "../host-node/run";
import { bootWasmtime } from "../host-wasmtime/launch";
import { repoRoot } from "./root";

export type Runtime = "node" | "wasmtime";

// A log line: "[    0.012345] name: text", as the log service and the kernel stamp them.
const LOG_LINE = /^\[ *\d+\.\d{6}\] [a-z][a-z0-9-]*: /;

/** The console lines that came from the shell, not from a log. */
export function shellOutput(console: string): string {
  return console.split("\n").filter((l) => l.length > 0 && !LOG_LINE.test(l)).map((l) => l + "\n").join("");
}

/** The commands as console input: each argument with a space is a line of its own; otherwise all are one line. */
export function commandLines(args: string[]): string {
  const lines = args.some((a) => a.includes(" ")) ? args : [args.join(" ")];
  return lines.join("\n") + "\n";
}

export async function ctl(image: string, args: string[], runtime: Runtime): Promise<{ code: number; output: string }> {
  const input = commandLines(args);
  let text = "";
  let code: number;
  if (runtime === "node") {
    const dec = new TextDecoder();
    code = await bootNode(image, {
      interactive: true, input: (async function* () { yield input; })(), out: (b) => { text += dec.decode(b, { stream: true }); },
    });
  } else {
    const capture = { stdout: "", stderr: "" };
    code = await bootWasmtime(repoRoot(), image, { interactive: true }, { capture, input, quietSetup: true });
    text = capture.stdout;
  }
  return { code, output: shellOutput(text) };
}
