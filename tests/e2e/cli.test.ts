// The CLI as people script it: wrong paths and words get one line that names
// them and what to do (never Node's own error text), the help comes from the
// same spec as the parser, --out of build and conformance says where things
// go, and a build says what it compiles as it starts.
import { beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { COMMANDS } from "../../tools/quark/spec";
import { image, quark, root } from "./helpers";

const RUNTIMES = ["node", "wasmtime"] as const;
// What Node or V8 would print on its own: none of it may reach a user.
const RAW = /\bE(NOENT|ISDIR|CONNREFUSED|NOTDIR|ACCES)\b|^\s+at |Error:|TypeError|node:internal/m;

const scratch = () => mkdtempSync(join(tmpdir(), "quark-cli-"));

let defaultImage: string;
beforeAll(async () => { defaultImage = await image("default"); }, 300_000);

/** A socket file nobody listens on: a system that stopped without removing it. */
function staleSocket(dir: string): string {
  const path = join(dir, "stale.sock");
  const r = spawnSync(process.execPath, ["-e", `require("net").createServer().listen(${JSON.stringify(path)}, () => process.exit(0))`]);
  expect(r.status).toBe(0);
  return path;
}

describe("a wrong path", () => {
  const dir = scratch();
  writeFileSync(join(dir, "file"), "not a directory\n");
  const rows: { name: string; args: () => string[]; code: number; says: RegExp }[] = [
    { name: "inspect a missing image", args: () => ["inspect", "nonexistent.wasm"], code: 2, says: /nonexistent\.wasm: cannot read: no such file; build the image with `quark build MANIFEST\.toml`/ },
    { name: "inspect a directory", args: () => ["inspect", dir], code: 2, says: new RegExp(`${dir}: cannot read: it is a directory; give the \\.wasm file`) },
    { name: "inspect a manifest", args: () => ["inspect", "images/default.toml"], code: 1, says: /images\/default\.toml: is a manifest, not an image; build it first \(quark build images\/default\.toml writes images\/default\.wasm\)/ },
    { name: "build an image", args: () => ["build", defaultImage], code: 1, says: /default\.wasm: is a built image, not a manifest; boot or inspect it as it is/ },
    { name: "build a directory", args: () => ["build", dir], code: 1, says: /: is a directory; give a manifest file \(\.toml\)/ },
    { name: "build a missing manifest", args: () => ["build", "nosuch.toml"], code: 1, says: /nosuch\.toml: no such file; give a manifest/ },
    { name: "boot a directory", args: () => ["boot", dir], code: 2, says: /: cannot read: it is a directory/ },
    { name: "ctl a directory as the socket", args: () => ["ctl", "--control", dir, "svc", "list"], code: 1, says: /: is a directory, not a control socket; start the system with quark boot IMAGE --control / },
    { name: "ctl a missing socket", args: () => ["ctl", "--control", join(dir, "none.sock"), "svc", "list"], code: 1, says: /none\.sock: no control socket there; start the system with quark boot IMAGE --control / },
    { name: "ctl a socket nobody listens on", args: () => ["ctl", "--control", staleSocket(dir), "svc", "list"], code: 1, says: /stale\.sock: no system listens on this control socket \(it has stopped\); start the system with quark boot IMAGE --control / },
    { name: "build --out under a file", args: () => ["build", "images/default.toml", "--out", join(dir, "file", "x.wasm")], code: 1, says: /cannot write the image to .*file\/x\.wasm: a part of the path is a file, not a directory; give --out a file or directory you can write/ },
    { name: "build --out where no file can be created", args: () => ["build", "images/default.toml", "--out", "/proc/quark-test.wasm"], code: 1, says: /^(quark: .*\n)*quark build: cannot write the image to \/proc\/quark-test\.wasm: no file can be created there; give --out a file or directory you can write\n$/ },
    { name: "conformance --out in a missing directory", args: () => ["conformance", defaultImage, "--out", join(dir, "none", "j.xml")], code: 1, says: /none\/j\.xml: its directory .*\/none does not exist; create it, or give --out a file in one that does/ },
    { name: "conformance --out a directory", args: () => ["conformance", defaultImage, "--out", dir], code: 1, says: /: is a directory; give --out a file name, e\.g\. .*\/report\.xml/ },
  ];
  for (const row of rows) {
    it(`${row.name}: one line naming it and what to do`, () => {
      const r = quark(row.args());
      expect(r.stderr, row.name).toMatch(row.says);
      // The error is one line; a build's progress may come before it.
      expect(r.stderr.trimEnd().split("\n").filter((l) => !/^quark: \d+ of \d+ modules/.test(l)), r.stderr).toHaveLength(1);
      expect(r.stderr).not.toMatch(RAW);
      expect(r.code, r.stderr).toBe(row.code);
    }, 120_000);
  }
  it("leaves no temporary file behind a failed write", () => {
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(readdirSync(join(dir)).sort()).toEqual(["file", "stale.sock"]);
  });
});

describe("quark build --out", () => {
  it("takes a directory as the place for NAME.wasm, writing nothing else there or above it", () => {
    const dir = scratch();
    const r = quark(["build", "images/default.toml", "--out", dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`built ${join(dir, "default.wasm")} `);
    expect(readdirSync(dir)).toEqual(["default.wasm"]);
    expect(readFileSync(join(dir, "default.wasm"))).toEqual(readFileSync(defaultImage));
  });

  it("takes a path ending in / as a directory to create", () => {
    const dir = join(scratch(), "images") + "/";
    const r = quark(["build", "images/default.toml", "--out", dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(dir)).toEqual(["default.wasm"]);
  });
});

describe("build progress", () => {
  it("says what compiles before it compiles, counts each, and puts the cached modules on one line", () => {
    const d = scratch();
    mkdirSync(join(d, "svc"));
    // A source no cache holds: this build must compile it.
    writeFileSync(join(d, "svc", "index.ts"), `export function quark_start(a: i32, b: i32): i32 { return ${process.pid}; }\n`);
    writeFileSync(join(d, "p.toml"), `[image]\nname = "p"\n\n[service.solo]\nmodule = "svc"\n`);
    const cold = quark(["build", join(d, "p.toml")]);
    expect(cold.code, cold.stderr).toBe(0);
    const lines = cold.stderr.trimEnd().split("\n");
    expect(lines).toEqual([
      "quark: 3 of 4 modules from the cache: kernel, hal, init",
      "quark: compiling 1 of 4 modules: solo",
      expect.stringMatching(/^ {2}\[1\/1\] compile solo \d+ ms$/),
    ]);
    const warm = quark(["build", join(d, "p.toml")]);
    expect(warm.stderr).toBe("quark: 4 of 4 modules from the cache: kernel, hal, init, solo\n");
  }, 120_000);

  it("rewrites one line for the counts on a terminal", () => {
    const d = scratch();
    for (const name of ["one", "two"]) {
      mkdirSync(join(d, name));
      writeFileSync(join(d, name, "index.ts"), `export function quark_start(a: i32, b: i32): i32 { return ${process.pid}; } // ${name}\n`);
    }
    writeFileSync(join(d, "t.toml"), `[image]\nname = "t"\n\n[service.one]\nmodule = "one"\n\n[service.two]\nmodule = "two"\n`);
    // script(1) gives the CLI a terminal, as a person's shell would.
    const cmd = `${process.execPath} ${join(root, "bin", "quark.mjs")} build ${join(d, "t.toml")}`;
    const r = spawnSync("script", ["-qec", cmd, "/dev/null"], { cwd: root, encoding: "utf8", timeout: 120_000 });
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toContain("quark: compiling 2 of 5 modules: one, two\r\n");
    expect(r.stdout).toMatch(/\r\x1b\[K {2}\[1\/2\] compile (one|two) \d+ ms\r\x1b\[K {2}\[2\/2\] compile (one|two) \d+ ms\r\n/);
  }, 120_000);

  for (const runtime of RUNTIMES) {
    it(`is silent on a boot whose modules are all cached, and one line with --verbose (${runtime})`, () => {
      quark(["build", "images/default.toml"]);
      const quiet = quark(["boot", "images/default.toml", "--until-ready", "--runtime", runtime]);
      expect(quiet.code, quiet.stderr).toBe(0);
      expect(quiet.stderr).not.toMatch(/compile|cache/);
      expect(quiet.stdout).toMatch(/ready/);
      const verbose = quark(["boot", "images/default.toml", "--until-ready", "--verbose", "--runtime", runtime]);
      expect(verbose.code, verbose.stderr).toBe(0);
      expect(verbose.stderr.split("\n").filter((l) => /cache|compile/.test(l))).toEqual([
        "quark: 10 of 10 modules from the cache: kernel, hal, init, log, echo, memory, devmgr, qsched, shell, condrv",
      ]);
    }, 120_000);
  }
});

describe("quark conformance --runtime both --out", () => {
  it("writes one report per runtime, names each file it writes, and prints a JSON summary", () => {
    const dir = scratch();
    const out = join(dir, "j.xml");
    const r = quark(["conformance", defaultImage, "--runtime", "both", "--reporter", "junit", "--out", out, "--json"], { timeoutMs: 600_000 });
    expect(r.code, r.stderr).toBe(0);
    for (const runtime of RUNTIMES) {
      const file = join(dir, `j.${runtime}.xml`);
      expect(r.stderr).toContain(`quark: wrote the ${runtime} report to ${file}\n`);
      expect(readFileSync(file, "utf8")).toMatch(/^<\?xml[\s\S]*<testsuites/);
    }
    expect(readdirSync(dir).sort()).toEqual(["j.node.xml", "j.wasmtime.xml"]);
    const summary = JSON.parse(r.stdout) as { exit: number; runtimes: { runtime: string; exit: number; counts: Record<string, number> }[] };
    expect(summary.exit).toBe(0);
    expect(summary.runtimes.map((s) => s.runtime)).toEqual([...RUNTIMES]);
    for (const s of summary.runtimes) {
      expect(s.counts.pass).toBeGreaterThan(0);
      expect(s.counts.fail + s.counts.unresolved).toBe(0);
    }
  }, 600_000);
});

describe("quark --version", () => {
  const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
  for (const args of [["--version"], ["-V"], ["version"]]) {
    it(`${args[0]} prints the version and the ABI version`, () => {
      const r = quark(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^quark ${version.replace(/\./g, "\\.")} \\(kernel ABI \\d+, node \\d+\\.\\d+\\.\\d+\\)\\n$`));
    });
  }
});

describe("a wrong word", () => {
  const rows: { args: string[]; line: string }[] = [
    { args: ["biuld", "images/default.toml"], line: 'quark: unknown command "biuld" (did you mean build?); run quark help for the list' },
    { args: ["frob"], line: 'quark: unknown command "frob"; run quark help for the list' },
    { args: ["help", "frob"], line: 'quark help: there is no command "frob"; run quark help for the list' },
    { args: ["inspect", "images/default.wasm", "--jsn"], line: "quark inspect: unknown option --jsn (did you mean --json?); see quark inspect --help" },
    { args: ["boot", "images/default.wasm", "--runtime", "wasmtim"], line: 'quark boot: --runtime must be one of node, wasmtime (got "wasmtim") (did you mean wasmtime?); see quark boot --help' },
    { args: ["build"], line: "quark build: missing MANIFEST.toml; see quark build --help" },
    { args: ["inspect", "a.wasm", "b.wasm"], line: 'quark inspect: unexpected argument "b.wasm"; see quark inspect --help' },
    { args: ["build", "images/default.toml", "--force=yes"], line: "quark build: --force takes no value; see quark build --help" },
    { args: ["setup", "wasmtim"], line: 'quark setup: there is nothing named "wasmtim" to set up (did you mean wasmtime?); see quark setup --help' },
  ];
  for (const row of rows) {
    it(`quark ${row.args.join(" ")}: one line, exit 2`, () => {
      const r = quark(row.args);
      expect(r.stderr).toBe(row.line + "\n");
      expect(r.stdout).toBe("");
      expect(r.code).toBe(2);
    });
  }
});

describe("the help", () => {
  it("lists every command and the exit codes", () => {
    const r = quark(["help"]);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c.name} +${c.summary.replace(/[()|.]/g, "\\$&")}$`, "m"));
    for (const code of [0, 1, 2, 3, 70, 130]) expect(r.stdout).toMatch(new RegExp(`^ +${code}  \\S`, "m"));
  });

  for (const c of COMMANDS) {
    it(`of ${c.name} is the same from quark help ${c.name} and --help, and names every option the parser takes`, () => {
      const a = quark(["help", c.name]);
      const b = quark([c.name, "--help"]);
      expect(a.code).toBe(0);
      expect(b).toEqual(a);
      expect(a.stdout).toMatch(new RegExp(`^usage: quark ${c.name}\\b`));
      for (const o of c.options.filter((x) => !x.hidden)) expect(a.stdout).toMatch(new RegExp(`^  --${o.name}\\b.* ${o.help.slice(0, 20).replace(/[()|.]/g, "\\$&")}`, "m"));
    });
  }

  it("has no option the parser refuses: each one of inspect and build is taken", () => {
    expect(quark(["inspect", defaultImage, "--json"]).code).toBe(0);
    const dir = scratch();
    const r = quark(["build", "images/default.toml", "--out", dir, "--json", "--verbose"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).out).toBe(join(dir, "default.wasm"));
  });
});

describe("quark setup wasmtime", () => {
  it("says at once that everything is in place when it is", () => {
    quark(["setup", "wasmtime"]);
    const r = quark(["setup", "wasmtime"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("quark: wasmtime is set up (already in place, nothing to do)\n");
  });
});
