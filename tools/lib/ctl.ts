// `quark ctl IMAGE COMMAND...`: boot an image, give its shell the commands
// on the console, and print only what the shell answered (the boot log and
// the services' log lines are left out). The image must have a shell (a
// service holding the console with read and init's endpoint).
import { bootNode } from "../host-node/run";
import { bootWasmtime } from "../host-wasmtime/launch";
import { repoRoot } from "./root";
import { existsSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { randomBytes } from "node:crypto";
import { readImage } from "./image";
import { decodeBootTable } from "./boot-table";
import * as abi from "../../kernel/abi";
import { LOG_LINE, MARK_PREFIX, PROMPT } from "./ctl-marks";

export type Runtime = "node" | "wasmtime";



/** The console lines that came from the shell, not from a log (prompts taken off). */
export function shellOutput(console: string): string {
  return console.split("\n").map((l) => { while (l.startsWith(PROMPT)) l = l.slice(PROMPT.length); return l; })
    .filter((l) => l.length > 0 && !LOG_LINE.test(l) && !l.startsWith(MARK_PREFIX)).map((l) => l + "\n").join("");
}


function newMark(): string { return MARK_PREFIX + randomBytes(6).toString("hex"); }

/** The shell's answer to `status MARK`: where the answers end and how they went (userland/shell/outcome.ts). */
function markAt(text: string, mark: string): { at: number; status: number } | undefined {
  const m = new RegExp(`(^|\n)(?:${PROMPT})*${mark} (\\d+)\n`).exec(text);
  return m ? { at: m.index + m[1].length, status: Number(m[2]) } : undefined;
}

/**
 * Run shell commands on a running system through its control socket (`quark
 * boot --control SOCKET`). The commands come between `status MARK-begin` and
 * `status MARK`; the answers are what the shell printed between the two, and the
 * status is the one the shell gave with it (0, 1 refused, 2 usage). A
 * system that halts meanwhile (the last command was `halt`) closes the
 * connection, which ends the answers too.
 */
export function ctlAttach(socket: string, args: string[], timeoutMs = 30_000): Promise<{ code: number; output: string }> {
  if (!existsSync(socket)) {
    throw new Error(`${socket}: no control socket there; start the system with quark boot IMAGE --control ${socket}`);
  }
  const marker = newMark();
  return new Promise((resolve, reject) => {
    const c = connect(socket);
    let text = "";
    let done = false;
    const finish = (code: number, why?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      c.destroy();
      // The answers are what came between the two marks (what others caused before is not ours).
      const begin = markAt(text, `${marker}-begin`);
      const from = begin ? text.indexOf("\n", begin.at) + 1 : 0;
      const end = markAt(text, marker)?.at ?? -1;
      const output = shellOutput(end >= 0 ? text.slice(from, end) : text.slice(from));
      resolve({ code, output: why ? output + `quark ctl: ${why}\n` : output });
    };
    const timer = setTimeout(() => finish(1, `no answer from the system within ${timeoutMs / 1000} s`), timeoutMs);
    // After a halt nothing answers: the closed connection ends it.
    const halting = /^halt\b/.test(commandLines(args).trim().split("\n").pop()!.trim());
    // The first status starts the shell's count afresh: what other connections did before is not ours;
    // the board hands the lines from the begin mark to the end mark to the shell as one run (board/control.ts),
    // so no other connection's command is counted in ours. After a halt the end mark is not run, but it closes the run.
    c.on("connect", () => c.write(`status ${marker}-begin\n` + commandLines(args) + `status ${marker}\n`));
    c.on("data", (b) => {
      text += b.toString("utf8");
      const m = markAt(text, marker);
      if (m) finish(m.status);
    });
    c.on("close", () => finish(halting ? 0 : 1, halting ? undefined : "the system closed the connection before answering (did it halt?)"));
    c.on("error", (e) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(new Error(`${socket}: ${e.message}; is the system still running?`));
    });
  });
}

/** The commands as console input: each argument with a space is a line of its own; otherwise all are one line. */
export function commandLines(args: string[]): string {
  const lines = args.some((a) => a.includes(" ")) ? args : [args.join(" ")];
  return lines.join("\n") + "\n";
}

/**
 * The name of the image's shell: a service that reads the console (it holds
 * the console driver with the right to hand it an endpoint, to be woken for
 * input) and init's endpoint; undefined if none.
 */
export function shellOf(image: string): string | undefined {
  const table = decodeBootTable(readImage(new Uint8Array(readFileSync(image))).bootTable);
  const condrv = table.services.findIndex((s) => s.name === "condrv");
  return table.services.find((s) =>
    s.grants.some((g) => g.kind === abi.GRANT_SERVICE && g.target === condrv && (g.rights & abi.R_GRANT) !== 0) &&
    s.grants.some((g) => g.kind === abi.GRANT_INIT))?.name;
}

export async function ctl(image: string, args: string[], runtime: Runtime): Promise<{ code: number; output: string }> {
  if (!shellOf(image)) {
    throw new Error(`${image} has no shell to run commands: no service reads the console through its driver and holds init's endpoint; ` +
      'add one, e.g. [service.shell] with module = "../userland/shell", requires = ["condrv"] and caps = ["condrv:call+grant", "init", "log"]');
  }
  const marker = newMark();
  const input = commandLines(args) + `status ${marker}\n`;
  let text = "";
  let code: number;
  if (runtime === "node") {
    const dec = new TextDecoder();
    // strict: a service that failed to start at boot fails the run too (EXIT_SERVICE_FAILED).
    code = await bootNode(image, {
      interactive: true, strict: true, input: (async function* () { yield input; })(), out: (b) => { text += dec.decode(b, { stream: true }); },
    });
  } else {
    const capture = { stdout: "", stderr: "" };
    code = await bootWasmtime(repoRoot(), image, { interactive: true, strict: true }, { capture, input, quietSetup: true });
    text = capture.stdout;
    process.stderr.write(capture.stderr); // the board's lines, as under Node
  }
  // The worst of the machine's status (a halt CODE among the commands) and the commands' own.
  const m = markAt(text, marker);
  return { code: Math.max(code, m?.status ?? 0), output: shellOutput(m ? text.slice(0, m.at) : text) };
}
