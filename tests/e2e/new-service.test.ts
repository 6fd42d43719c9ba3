// Services written outside the checkout, the way a user writes them: `quark
// new service` in a directory of their own, a manifest in another directory
// that lists it beside the default services, `quark build` run from there,
// and the image booted under both hosts. Also what `quark new` refuses, and
// that the build cache follows files reached through the "quark/" import map.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { compileModule, CompileError } from "../../tools/lib/compile";
import { checkoutPath, modulePath, serviceTemplate } from "../../tools/lib/scaffold";
import { root, withoutTimings } from "./helpers";

const RUNTIMES = ["node", "wasmtime"];

/** `quark ARGS...` run from `cwd`, as a user in that directory would. */
function quark(cwd: string, args: string[]) {
  const r = spawnSync(process.execPath, [join(root, "bin", "quark.mjs"), ...args], { cwd, encoding: "utf8", timeout: 180_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** What `quark new` printed for the manifest: the TOML between "...:" and "then:". */
function printedToml(stdout: string): string {
  const m = /:\n\n([\s\S]*?)\nthen: /.exec(stdout);
  if (!m) throw new Error(`no TOML in:\n${stdout}`);
  return m[1];
}

/** The default image's services, with their module paths made relative to `dir`. */
function defaultServices(dir: string): string {
  const text = readFileSync(join(root, "images", "default.toml"), "utf8");
  const services = text.slice(text.indexOf("[service."));
  return services.replace(/^module = "\.\.\/userland\/([a-z/-]+)"/gm,
    (_, name: string) => `module = "${relative(dir, join(root, "userland", name))}"`);
}

// A client of the new service, also outside the checkout: it calls the new
// service at start with two words and logs the reply.
// A tag the greeter does not serve comes back as an error, logged by its name.
const CALLER = `import { call, result, capByName, errorName, log, OK, TAG_THIRD_PARTY_FIRST } from "quark/service";
import { TAG_ECHO } from "quark/proto/echo";

export function quark_start(pid: i32, restarts: i32): i32 {
  const greeter = capByName("greeter");
  const status = call(greeter, TAG_ECHO, 6, 7);
  log("greeter answered " + errorName(status) + ": " + result(0).toString() + " " + result(1).toString());
  log("greeter refused " + errorName(call(greeter, TAG_THIRD_PARTY_FIRST)));
  return OK;
}
`;

describe("a service outside the checkout, listed in a manifest outside it", () => {
  let work: string;
  let manifest: string;
  let image: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "quark-oot-"));
    mkdirSync(join(work, "image"));
    manifest = join(work, "image", "system.toml");
    image = join(work, "image", "system.wasm");
    writeFileSync(manifest, `[image]\nname = "system"\n\n${defaultServices(join(work, "image"))}\n`);
  });

  it("scaffolds the service and prints the lines that list it, with the path from the manifest", () => {
    const r = quark(work, ["new", "service", "greeter", "--dir", join(work, "src", "greeter"), "--manifest", manifest]);
    expect(r.code, r.stderr).toBe(0);
    // Paths below the current directory are shown relative to it, as the user would type them.
    expect(r.stdout).toContain(`created src/greeter/index.ts\nadd it to image/system.toml:\n`);
    // Outside the checkout npx would not find quark: the next step names its CLI by path.
    expect(r.stdout).toContain(`then: node ${join(root, "bin", "quark.mjs")} build image/system.toml && `);
    const toml = printedToml(r.stdout);
    expect(toml).toBe(`[service.greeter]\nmodule = "../src/greeter"\nrequires = ["log"]\ncaps = ["log"]\n`);
    const source = readFileSync(join(work, "src", "greeter", "index.ts"), "utf8");
    expect(source).toContain(`from "quark/service"`);
    expect(source).toContain(`from "quark/proto/echo"`);
    expect(source).not.toContain(root);
    writeFileSync(manifest, readFileSync(manifest, "utf8") + "\n" + toml);
  });

  it("scaffolds a client with a relative --dir and --manifest, run from the user's directory", () => {
    const r = quark(work, ["new", "service", "caller", "--dir", "src/caller", "--manifest", "image/system.toml"]);
    expect(r.code, r.stderr).toBe(0);
    const toml = printedToml(r.stdout);
    expect(toml).toContain(`module = "../src/caller"\n`);
    writeFileSync(join(work, "src", "caller", "index.ts"), CALLER);
    const section = toml.replace(`requires = ["log"]`, `requires = ["log", "greeter"]`).replace(`caps = ["log"]`, `caps = ["log", "greeter"]`);
    writeFileSync(manifest, readFileSync(manifest, "utf8") + "\n" + section);
  });

  it("builds from the manifest's directory, and the client's call reaches the new service under both hosts", () => {
    const built = quark(join(work, "image"), ["build", "system.toml"]);
    expect(built.code, built.stderr).toBe(0);
    for (const runtime of RUNTIMES) {
      const boot = quark(work, ["boot", image, "--until-ready", "--runtime", runtime]);
      expect(boot.code, `${runtime}: ${boot.stderr}`).toBe(0);
      expect(boot.stdout).toMatch(/\] greeter: greeter is up \(restart 0\)\n/);
      expect(boot.stdout).toMatch(/\] caller: greeter answered OK: 6 7\n/);
      expect(boot.stdout).toMatch(/\] caller: greeter refused E_ARG\n/);
      expect(boot.stdout).toContain("ready: 9 of 9 services running");
    }
  });

  it("answers the shell's svc status for it under both hosts", () => {
    for (const runtime of RUNTIMES) {
      const r = quark(work, ["ctl", "--runtime", runtime, image, "svc status greeter --json"]);
      expect(r.code, `${runtime}: ${r.stderr}`).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ name: "greeter", state: "running", restarts: 0 });
    }
  });

  it("rebuilds after the out-of-tree source changes, including a file it imports", () => {
    const src = join(work, "src", "greeter");
    writeFileSync(join(src, "words.ts"), `export const GREETING = "greeter v2 is up";\n`);
    const index = readFileSync(join(src, "index.ts"), "utf8");
    writeFileSync(join(src, "index.ts"), `import { GREETING } from "./words";\n` +
      index.replace(`log("greeter is up (restart "`, `log(GREETING + " (restart "`));
    const first = quark(work, ["build", manifest]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/compile greeter \d+ ms/);
    writeFileSync(join(src, "words.ts"), `export const GREETING = "greeter v3 is up";\n`);
    const second = quark(work, ["build", manifest]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/compile greeter \d+ ms/);
    expect(second.stderr).toMatch(/modules from the cache: .*\bcaller\b/);
    for (const runtime of RUNTIMES) {
      const boot = quark(work, ["boot", image, "--until-ready", "--runtime", runtime]);
      expect(boot.code, `${runtime}: ${boot.stderr}`).toBe(0);
      expect(boot.stdout).toMatch(/\] greeter: greeter v3 is up \(restart 0\)\n/);
    }
    const again = quark(work, ["build", manifest]);
    expect(again.stderr).toMatch(/modules from the cache: .*\bgreeter\b/);
  });
});

describe("quark new service without --dir", () => {
  it("writes userland/NAME in the checkout and the path from images/default.toml", () => {
    const name = `scaffold-test-${process.pid}`;
    const dir = join(root, "userland", name);
    try {
      const r = quark(root, ["new", "service", name]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`created userland/${name}/index.ts\nadd it to images/default.toml:\n`);
      expect(printedToml(r.stdout)).toContain(`module = "../userland/${name}"\n`);
      expect(r.stdout).toContain("then: npx quark build images/default.toml && npx quark boot images/default.wasm --until-ready\n");
      expect(existsSync(join(dir, "index.ts"))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a compile error in a service outside the checkout", () => {
  it("names the file by a path that works where the user stands", () => {
    const work = mkdtempSync(join(tmpdir(), "quark-err-"));
    writeFileSync(join(work, "broken.ts"), `import { OK } from "quark/service";\nexport function quark_start(a: i32, b: i32): i32 { return nope; }\n`);
    writeFileSync(join(work, "broken.toml"), `[image]\nname = "broken"\n\n[service.broken]\nmodule = "broken.ts"\n`);
    const r = quark(work, ["build", "broken.toml"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`in ${join(work, "broken.ts")}(2,`);
    expect(r.stderr).not.toContain(" in ../");
  });
});

describe("the module paths quark new prints", () => {
  it("are relative to the manifest; one into the checkout is absolute when only / is shared", () => {
    expect(modulePath("/tmp/a/b/x.toml", "/tmp/a/svc")).toBe("../svc");
    expect(modulePath("/tmp/a/x.toml", "/tmp/a")).toBe(".");
    expect(checkoutPath("/work/quark/images/x.toml", "/work/quark/userland/log")).toBe("../userland/log");
    expect(checkoutPath("/home/u/proj/x.toml", "/home/u/quark/userland/log")).toBe("../quark/userland/log");
    expect(checkoutPath("/tmp/a/b/x.toml", "/work/quark/userland/log")).toBe("/work/quark/userland/log");
  });
});

describe("quark new service refuses", () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "quark-new-"));
  });

  it.each([
    ["init", /"init" is reserved: init, the service manager, is part of every image/],
    ["console", /"console" is reserved: in caps, "console" names the console/],
    ["entropy", /"entropy" is reserved: in caps, "entropy" names the entropy device/],
    ["qc-mine", /"qc-mine" is reserved: names starting with "qc" belong to the conformance suite's services/],
    ["log", /"log" is reserved: it is a system service of the default image \(images\/default\.toml\)/],
    ["shell", /"shell" is reserved: it is a system service of the default image/],
  ])("a reserved name (%s), saying by what, and writes nothing", (name, message) => {
    const dir = join(work, `r-${name}`);
    const r = quark(work, ["new", "service", name, "--dir", dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(existsSync(dir)).toBe(false);
  });

  it("a name the manifest already lists", () => {
    const m = join(work, "mine.toml");
    writeFileSync(m, `[image]\nname = "mine"\n\n[service.web]\nmodule = "web"\n`);
    const r = quark(work, ["new", "service", "web", "--dir", "web2", "--manifest", "mine.toml"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${m} already has a service named "web"`);
    expect(existsSync(join(work, "web2"))).toBe(false);
  });

  it("a --manifest that is a directory or not valid TOML, saying where", () => {
    mkdirSync(join(work, "mdir"));
    const dir = quark(work, ["new", "service", "m1", "--dir", "m1", "--manifest", "mdir"]);
    expect(dir.code).toBe(1);
    expect(dir.stderr).toContain(`${join(work, "mdir")} is a directory; --manifest names a manifest file (.toml)`);
    writeFileSync(join(work, "broken.toml"), "[image\nname = 1\n");
    const bad = quark(work, ["new", "service", "m1", "--dir", "m1", "--manifest", "broken.toml"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(new RegExp(`${join(work, "broken.toml")}:1:\\d+: .*; fix the manifest first`));
    expect(existsSync(join(work, "m1"))).toBe(false);
  });

  it("an existing file, which it leaves as it was", () => {
    const first = quark(work, ["new", "service", "twice", "--dir", "twice"]);
    expect(first.code, first.stderr).toBe(0);
    writeFileSync(join(work, "twice", "index.ts"), "// mine\n");
    const r = quark(work, ["new", "service", "twice", "--dir", "twice"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(work, "twice", "index.ts")} already exists`);
    expect(readFileSync(join(work, "twice", "index.ts"), "utf8")).toBe("// mine\n");
  });

  it("a --dir that is a file", () => {
    writeFileSync(join(work, "plain"), "");
    const r = quark(work, ["new", "service", "plain", "--dir", "plain"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(work, "plain")} is a file, not a directory`);
  });

  it.each(["Bad_Name", "9lives", "a".repeat(33), "-x"])("a bad name (%s), naming the rule", (name) => {
    const r = quark(work, ["new", "service", name, "--dir", join(work, "bad")]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/is not a service name: a service name is 1 to 32 characters: a lowercase letter, then lowercase letters, digits or -|unknown option/);
    expect(existsSync(join(work, "bad"))).toBe(false);
  });

  it("prints a whole manifest when the one named does not exist yet, and that manifest builds", () => {
    const r = quark(work, ["new", "service", "solo", "--dir", "solo", "--manifest", "fresh/solo.toml"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("fresh/solo.toml does not exist yet; write it with:");
    const toml = printedToml(r.stdout);
    const log = /\[service\.log\]\nmodule = "(.*)"/.exec(toml)![1];
    expect(resolve(work, "fresh", log)).toBe(join(root, "userland", "log"));
    mkdirSync(join(work, "fresh"));
    writeFileSync(join(work, "fresh", "solo.toml"), toml);
    const built = quark(work, ["build", "fresh/solo.toml"]);
    expect(built.code, built.stderr).toBe(0);
    for (const runtime of RUNTIMES) {
      const boot = quark(work, ["boot", "fresh/solo.wasm", "--until-ready", "--runtime", runtime]);
      expect(boot.code, `${runtime}: ${boot.stderr}`).toBe(0);
      expect(boot.stdout).toMatch(/\] solo: solo is up \(restart 0\)\n/);
    }
  });

  it("documents all of that in --help", () => {
    const r = quark(work, ["new", "--help"]);
    expect(r.code).toBe(0);
    for (const s of ["--manifest FILE", "quark/service", "reserved", "already lists", "never overwritten", "path from FILE's directory to DIR"]) {
      expect(r.stdout).toContain(s);
    }
  });
});

describe('the "quark/" import map', () => {
  // A checkout of its own (asconfig.json and a userland/lib), so the test may
  // edit the library without touching the real one. It sits where npm would
  // install quark as a project's dependency: node_modules/quark.
  let fake: string;
  let cacheDir: string;
  const compile = (entry: string) =>
    compileModule({ kind: "service", entry: join(fake, entry), root: fake, cacheDir, name: entry });

  beforeAll(() => {
    fake = join(mkdtempSync(join(tmpdir(), "quark-map-")), "node_modules", "quark");
    mkdirSync(fake, { recursive: true });
    cacheDir = join(fake, "cache");
    cpSync(join(root, "asconfig.json"), join(fake, "asconfig.json"));
    mkdirSync(join(fake, "userland", "lib", "proto"), { recursive: true });
    writeFileSync(join(fake, "userland", "lib", "count.ts"), "export function step(): i32 { return 1; }\n");
    writeFileSync(join(fake, "userland", "lib", "proto", "greet.ts"), "export const TAG_GREET: i32 = 0x7001;\n");
    const outside = mkdtempSync(join(tmpdir(), "quark-map-svc-"));
    writeFileSync(join(outside, "index.ts"), [
      `import { step } from "quark/count";`,
      `import { TAG_GREET } from "quark/proto/greet";`,
      `export function quark_handle(badge: i32, tag: i32): i32 { return tag == TAG_GREET ? step() : -1; }`, ``,
    ].join("\n"));
    writeFileSync(join(fake, "entry.txt"), relative(fake, join(outside, "index.ts")));
  });

  const entry = () => readFileSync(join(fake, "entry.txt"), "utf8");

  it("resolves quark/X and quark/proto/X to the checkout's userland/lib, and a library change rebuilds", async () => {
    const first = await compile(entry());
    expect(first.cached).toBe(false);
    expect((await compile(entry())).cached).toBe(true);
    writeFileSync(join(fake, "userland", "lib", "count.ts"), "export function step(): i32 { return 2; }\n");
    const second = await compile(entry());
    expect(second.cached).toBe(false);
    expect(Buffer.from(second.wasm).equals(Buffer.from(first.wasm))).toBe(false);
    writeFileSync(join(fake, "userland", "lib", "proto", "greet.ts"), "export const TAG_GREET: i32 = 0x7002;\n");
    expect((await compile(entry())).cached).toBe(false);
  });

  it("compiles the library once, under the same names as a relative import", async () => {
    // One counter behind both paths: two copies of the library would count to 1 each.
    writeFileSync(join(fake, "userland", "lib", "counter.ts"), "let n: i32 = 0;\nexport function bump(): i32 { return ++n; }\n");
    mkdirSync(join(fake, "userland", "both"), { recursive: true });
    writeFileSync(join(fake, "userland", "both", "index.ts"), [
      `import { bump as viaMap } from "quark/counter";`,
      `import { bump as viaPath } from "../lib/counter";`,
      `export function quark_handle(badge: i32, tag: i32): i32 { viaMap(); return viaPath(); }`, ``,
    ].join("\n"));
    const { wasm } = await compile("userland/both/index.ts");
    const abort = () => { throw new Error("abort"); };
    const instance = await WebAssembly.instantiate(new WebAssembly.Module(new Uint8Array(wasm)), { env: { abort } });
    expect((instance.exports.quark_handle as (a: number, b: number) => number)(0, 0)).toBe(2);
  });

  it("finds AssemblyScript packages installed beside a service outside the checkout, but quark/ stays the checkout's", async () => {
    const outside = mkdtempSync(join(tmpdir(), "quark-map-pkg-"));
    mkdirSync(join(outside, "node_modules", "wordlib"), { recursive: true });
    mkdirSync(join(outside, "node_modules", "quark"), { recursive: true });
    mkdirSync(join(outside, "svc"));
    // The package uses the service library too.
    writeFileSync(join(outside, "node_modules", "wordlib", "index.ts"),
      `import { step } from "quark/count";\nexport function twice(x: i32): i32 { return x * 2 + step(); }\n`);
    // A package of the same name does not shadow the checkout's library.
    writeFileSync(join(outside, "node_modules", "quark", "count.ts"), "export function step(): i32 { return 100; }\n");
    writeFileSync(join(outside, "svc", "index.ts"), [
      `import { twice } from "wordlib";`,
      `import { step } from "quark/count";`,
      `export function quark_handle(badge: i32, tag: i32): i32 { return twice(step()); }`, ``,
    ].join("\n"));
    const { wasm } = await compile(relative(fake, join(outside, "svc", "index.ts")));
    const abort = () => { throw new Error("abort"); };
    const instance = await WebAssembly.instantiate(new WebAssembly.Module(new Uint8Array(wasm)), { env: { abort } });
    const step = Number(/return (\d+)/.exec(readFileSync(join(fake, "userland", "lib", "count.ts"), "utf8"))![1]);
    // Both imports of quark/count reach the checkout's (the one beside the service answers 100).
    expect((instance.exports.quark_handle as (a: number, b: number) => number)(0, 0)).toBe(3 * step);
  });

  it("names a missing quark/X and where it was looked for, and a later file there is picked up", async () => {
    writeFileSync(join(fake, "missing.ts"), `import { nope } from "quark/nope";\nexport function quark_start(a: i32, b: i32): i32 { return nope; }\n`);
    const err = await compile("missing.ts").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CompileError);
    expect((err as Error).message).toContain("File '~lib/quark/nope.ts' not found");
    expect((err as Error).message).toContain(`"quark/X" is ${join(fake, "userland", "lib")}/X.ts`);
    writeFileSync(join(fake, "userland", "lib", "nope.ts"), "export const nope: i32 = 0;\n");
    expect((await compile("missing.ts")).cached).toBe(false);
  });
});

// docs/writing-a-service.md shows the template as written, and its walk-through runs as printed.
describe("docs/writing-a-service.md", () => {
  const doc = readFileSync(join(root, "docs", "writing-a-service.md"), "utf8");
  const script = /<!-- walk-through -->\n```sh\n([\s\S]*?)```/.exec(doc)?.[1];
  const output = /<!-- walk-through output -->\n```\n([\s\S]*?)```/.exec(doc)?.[1];

  it("names the default image's services as the reserved ones", () => {
    const listed = /services of the default image \(([^)]*)\)/.exec(doc.replace(/\n/g, " "))?.[1];
    const services = [...readFileSync(join(root, "images", "default.toml"), "utf8").matchAll(/^\[service\.([a-z0-9-]+)\]/gm)].map((m) => `\`${m[1]}\``);
    expect(listed?.split(/,? (?:and )?|, /).filter(Boolean)).toEqual(services);
  });

  it("shows the template quark new writes", () => {
    const shown = /```ts\n\/\/ greeter\/index\.ts\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(shown, "the template block").toBeDefined();
    const written = serviceTemplate("greeter").split("\n");
    let at = 0;
    for (const line of shown!.trimEnd().split("\n")) {
      const found = written.indexOf(line, at);
      expect(found, `"${line}" in the template`).toBeGreaterThanOrEqual(0);
      at = found + 1;
    }
  });

  it("prints what the page says it prints", () => {
    expect(script, "the walk-through block").toBeDefined();
    expect(output, "its output block").toBeDefined();
    const home = mkdtempSync(join(tmpdir(), "quark-walk-"));
    // Run from the checkout, as the page says; mktemp -d makes its directory under TMPDIR.
    const r = spawnSync("bash", ["-euc", script!], { cwd: root, encoding: "utf8", env: { ...process.env, TMPDIR: home }, timeout: 180_000 });
    expect(r.status, r.stderr).toBe(0);
    // The manifest the page writes is the one quark new printed (module paths
    // compared resolved: a path into the checkout may be printed relative).
    const hello = join(home, readdirSync(home)[0], "hello");
    const resolved = (toml: string) => toml.trim().replace(/^module = "(.*)"$/gm, (_, p: string) => `module = "${resolve(hello, p)}"`);
    const written = /<<TOML\n([\s\S]*?)\nTOML\n/.exec(script!)![1].replaceAll("$QUARK", root);
    expect(resolved(printedToml(r.stdout))).toBe(resolved(written));
    // Every line the page shows is printed, in that order (times masked).
    const printed = withoutTimings(r.stdout).split("\n");
    let at = 0;
    for (const line of withoutTimings(output!).trimEnd().split("\n")) {
      const found = printed.indexOf(line, at);
      expect(found, `"${line}" in:\n${printed.join("\n")}`).toBeGreaterThanOrEqual(0);
      at = found + 1;
    }
  });
});
