// The README's manifest example is a manifest: it parses, and it shows every
// key a service or an image can have. Its command blocks can be pasted into a
// shell as they are, and name only commands and options quark has; a block
// that shows a command's output (`$ COMMAND` and what follows) is run, under
// both hosts when it boots something, and prints what it shows, times aside;
// its command table and exit code table are the ones quark help prints.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildImage } from "../../tools/lib/build";
import { parseManifestText, SERVICE_KEYS, IMAGE_KEYS } from "../../tools/lib/manifest";
import { repoRoot } from "../../tools/lib/root";
import { COMMANDS, commandSpec } from "../../tools/quark/spec";
import { EXIT_CODES, usageLine } from "../../tools/quark/help";

const root = repoRoot();
const readme = readFileSync(join(root, "README.md"), "utf8");
const example = /## The manifest[\s\S]*?```toml\n([\s\S]*?)```/.exec(readme)![1];

describe("README's manifest example", () => {
  it("is a valid manifest", () => {
    const m = parseManifestText(example, join(root, "images", "readme-example.toml"), { root });
    expect(m.services.map((s) => s.name)).toEqual(["condrv", "log", "echo"]);
    expect(m.services[2].instances).toBe(3);
    expect(m.services[1].caps.map((c) => c.name)).toContain("condrv");
  });

  it("shows every service key and every [image] key", () => {
    const keys = new Set([...example.matchAll(/^([a-z_]+) =/gm)].map((k) => k[1]));
    for (const k of [...SERVICE_KEYS, ...IMAGE_KEYS]) expect(keys, k).toContain(k);
  });
});

// ---------------------------------------------------------------- command blocks

/** The lines of the README's code blocks (not the manifest's) that a reader pastes into a shell. */
function commandLines(text: string): { line: string; at: number }[] {
  const out: { line: string; at: number }[] = [];
  for (const m of text.matchAll(/^```([a-z]*)\n([\s\S]*?)^```/gm)) {
    if (m[1] === "toml") continue;
    const first = text.slice(0, m.index).split("\n").length + 1;
    m[2].split("\n").forEach((l, i) => {
      const line = l.replace(/^\$ /, "");
      if (/^(npx|npm|node|printf|quark) /.test(line)) out.push({ line, at: first + i });
    });
  }
  return out;
}

/** The command without its comment and its quoted words: what the shell reads as syntax. */
function syntax(line: string): string {
  return line.replace(/'[^']*'|"[^"]*"/g, "''").replace(/\s#.*$/, "");
}

/** Why a pasted line would not do what it says, or null. */
function pasteProblem(line: string): string | null {
  const s = syntax(line);
  // `tap|junit|pretty` runs as a pipe; a real pipe has spaces around its bar.
  if (/[^\s|]\|[^\s|]/.test(s)) return "a list of alternatives written with | (the shell runs it as a pipe)";
  if (/\[-/.test(s)) return "an optional part written in [ ] (the shell passes it as it is)";
  return null;
}

describe("README's command blocks", () => {
  const lines = commandLines(readme);

  it("are found", () => {
    expect(lines.length).toBeGreaterThan(10);
  });

  it("can be pasted into a shell as they are", () => {
    for (const { line, at } of lines) expect(pasteProblem(line), `README.md:${at}: ${line}`).toBeNull();
  });

  it("fail the check when they hold an alternative list or an optional part", () => {
    expect(pasteProblem("npx quark conformance images/default.wasm --reporter tap|junit|pretty")).toMatch(/pipe/);
    expect(pasteProblem("npm run bench [-- --json]")).toMatch(/optional/);
    expect(pasteProblem("printf 'svc list\\n' | npx quark boot images/default.wasm  # a|b in a comment")).toBeNull();
    expect(pasteProblem(`npx quark ctl images/default.wasm "svc a|b"`)).toBeNull();
    expect(commandLines("```\nnpx quark x --a b|c\n```\n").map((l) => pasteProblem(l.line))).toEqual([expect.stringMatching(/pipe/)]);
  });

  it("use only commands and options that quark has", () => {
    for (const { line, at } of lines) {
      for (const m of syntax(line).matchAll(/\bquark (\S+)([^&;|]*)/g)) {
        const c = commandSpec(m[1]);
        if (m[1].startsWith("-")) { expect(["--version", "-V", "--help"], `README.md:${at}`).toContain(m[1]); continue; }
        expect(c, `README.md:${at}: quark ${m[1]}`).toBeDefined();
        // ctl's options end at the image; the rest is the shell's.
        const own = c!.raw ? m[2].split(/\s(?!--)\S+\.(wasm|toml)\b/)[0] : m[2];
        for (const o of own.matchAll(/\s--([a-z-]+)/g)) {
          expect(c!.options.map((x) => x.name), `README.md:${at}: quark ${m[1]} --${o[1]}`).toContain(o[1]);
        }
      }
    }
  });
});

// ---------------------------------------------------------------- blocks with output

/** A `$ COMMAND` line of a README block and the output shown under it. */
interface Shown { at: number; command: string; output: string }

/**
 * Every README block but the manifest's is either commands alone (each line a
 * command or a comment) or `$ COMMAND` lines each followed by its output;
 * `other` is every line of a block that is neither, which no test would compare.
 */
function outputBlocks(text: string): { shown: Shown[]; other: { at: number; line: string }[] } {
  const shown: Shown[] = [];
  const other: { at: number; line: string }[] = [];
  for (const m of text.matchAll(/^```([a-z]*)\n([\s\S]*?)^```/gm)) {
    if (m[1] === "toml") continue;
    const first = text.slice(0, m.index).split("\n").length + 1;
    const lines = m[2].split("\n").slice(0, -1);
    if (lines.some((l) => l.startsWith("$ "))) {
      lines.forEach((l, i) => {
        if (l.startsWith("$ ")) shown.push({ at: first + i, command: l.slice(2), output: "" });
        else if (shown.length > 0 && i > 0) shown[shown.length - 1].output += l + "\n";
        else other.push({ at: first + i, line: l });
      });
      continue;
    }
    lines.forEach((l, i) => {
      if (l.trim() !== "" && !/^(npx|npm|node|printf|quark) /.test(l) && !l.startsWith("#")) other.push({ at: first + i, line: l });
    });
  }
  return { shown, other };
}

/** What legitimately varies from run to run: the log's time stamps and the durations it gives. */
function normalised(s: string): string {
  return s.replace(/^\[ *\d+\.\d{6}\] /gm, "[T] ").replace(/\d+(\.\d+)? (ms|µs)\b/g, "N $2");
}

/** Run a README command in sh from the checkout, `npx quark` being this checkout's CLI. */
function runShown(command: string) {
  const r = spawnSync("sh", ["-c", command.replace(/\bnpx quark\b/g, "$QUARK")], {
    cwd: root, encoding: "utf8", timeout: 180_000,
    env: { ...process.env, QUARK: `${process.execPath} ${join(root, "bin", "quark.mjs")}` },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("README's blocks that show output", () => {
  const { shown, other } = outputBlocks(readme);

  it("are every block that is not commands alone", () => {
    expect(other).toEqual([]);
    expect(shown.length).toBeGreaterThanOrEqual(2);
    for (const s of shown) expect(s.output, `README.md:${s.at}: ${s.command}`).not.toBe("");
  });

  it("are told apart from blocks of commands, and a line of neither is caught", () => {
    const r = outputBlocks("```\n$ npx quark version\nquark 1\n```\n\n```\nnpx quark help\nsome output\n```\n");
    expect(r.shown).toEqual([{ at: 2, command: "npx quark version", output: "quark 1\n" }]);
    expect(r.other).toEqual([{ at: 8, line: "some output" }]);
  });

  it("compare with times taken out, and nothing else", () => {
    expect(normalised("[    0.005654] init: started log (pid 2) in 32.428 µs, boot took 12.73 ms\n"))
      .toBe("[T] init: started log (pid 2) in N µs, boot took N ms\n");
    expect(normalised("echo: stopped, pid 3, 0 restarts\n")).toBe("echo: stopped, pid 3, 0 restarts\n");
  });

  // A command that boots an image runs under each host; the README shows one output for both.
  const runs = shown.flatMap((s) => (/\bquark (boot|ctl|conformance)\b/.test(s.command)
    ? ["node", "wasmtime"].map((runtime) => ({ ...s, runtime, line: `${s.command} --runtime ${runtime}` }))
    : [{ ...s, runtime: "-", line: s.command }]));
  it.each(runs)("README.md:$at prints what it shows (runtime $runtime)", async ({ at, line, output }) => {
    // The blocks use images/default.wasm as `npx quark build images/default.toml` (or npm start) leaves it.
    await buildImage(join(root, "images", "default.toml"), { root });
    const r = runShown(line);
    expect(r.code, `README.md:${at}: ${r.stderr}`).toBe(0);
    expect(normalised(r.stdout)).toBe(normalised(output));
  }, 180_000);
});

describe("README's command table", () => {
  it("is every command's usage line and summary, as quark help prints them", () => {
    const rows = [...readme.matchAll(/^\| `(quark [^`]*)` \| (.+) \|$/gm)].map((r) => [r[1].replace(/\\\|/g, "|"), r[2]]);
    expect(rows).toEqual(COMMANDS.map((c) => [usageLine(c), c.summary]));
  });
});

describe("README's exit codes", () => {
  it("are the table quark help prints", () => {
    const rows = [...readme.matchAll(/^\| (\d+) \| (.+) \|$/gm)].map((r) => [Number(r[1]), r[2]]);
    expect(rows).toEqual(EXIT_CODES);
  });
});
