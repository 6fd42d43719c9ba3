// The image as a file: what inspect reports, and that standard tools accept it.
import { describe, expect, it, beforeAll } from "vitest";
import { readFileSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { image, quark, root } from "./helpers";
import { readImage } from "../../tools/lib/image";
import { wasmtimePaths } from "../../tools/host-wasmtime/setup";

let wasm: string;
beforeAll(async () => { wasm = await image("default"); });

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe("quark inspect", () => {
  it("--json lists the kernel, the HAL and every service with size and sha256, the ABI version and the manifest", () => {
    const r = quark(["inspect", wasm, "--json"]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.abiVersion).toBe(1);
    const byName = Object.fromEntries(report.modules.map((m: any) => [m.name, m]));
    expect(Object.keys(byName)).toEqual(["kernel", "hal", "init", "log", "echo", "memory", "devmgr", "qsched", "shell", "condrv"]);
    expect(byName.kernel.kind).toBe("kernel");
    expect(byName.hal.kind).toBe("hal");
    expect(byName.echo.kind).toBe("service");
    const img = readImage(new Uint8Array(readFileSync(wasm)));
    for (const m of img.modules) {
      expect(byName[m.name].sha256).toBe(sha(m.bytes));
      expect(byName[m.name].size).toBe(m.bytes.length);
    }
    expect(report.manifest.services.map((s: any) => s.name)).toEqual(["log", "echo", "memory", "devmgr", "qsched", "shell", "condrv"]);
  });

  it("prints a readable table by default", () => {
    const r = quark(["inspect", wasm]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/kernel/);
    expect(r.stdout).toMatch(/echo/);
    expect(r.stdout).toMatch(/ABI/);
  });
});

describe("the image file", () => {
  it("is left as it is by a build that changes nothing (the same file: the board's mark of it stays good), and replaced when its bytes change", () => {
    const dir = mkdtempSync(join(tmpdir(), "quark-rebuild-"));
    const out = join(dir, "default.wasm");
    expect(quark(["build", join(root, "images", "default.toml"), "--out", out]).code).toBe(0);
    const first = statSync(out, { bigint: true });
    expect(quark(["build", join(root, "images", "default.toml"), "--out", out]).code).toBe(0);
    const again = statSync(out, { bigint: true });
    expect([again.ino, again.mtimeNs, again.ctimeNs]).toEqual([first.ino, first.mtimeNs, first.ctimeNs]);
    writeFileSync(out, "stale"); // another file's bytes: the build writes the image again
    expect(quark(["build", join(root, "images", "default.toml"), "--out", out]).code).toBe(0);
    expect(readFileSync(out).length).toBe(Number(first.size));
  });

  it("keeps the kernel module within its 32 KiB budget", () => {
    const img = readImage(new Uint8Array(readFileSync(wasm)));
    expect(img.kernel.size).toBeLessThanOrEqual(32 * 1024);
  });

  it("is valid WebAssembly, and so is every module in it, for V8, binaryen and wasmtime", () => {
    const bytes = new Uint8Array(readFileSync(wasm));
    const img = readImage(bytes);
    const dir = mkdtempSync(join(tmpdir(), "quark-validate-"));
    const files = [wasm, ...img.modules.map((m) => { const f = join(dir, `${m.name}.wasm`); writeFileSync(f, m.bytes); return f; })];
    const validate = (WebAssembly as unknown as { validate(b: Uint8Array): boolean }).validate;
    for (const f of files) {
      expect(validate(new Uint8Array(readFileSync(f))), f).toBe(true);
      const opt = spawnSync(join(root, "node_modules", ".bin", "wasm-opt"), [f, "--all-features", "-o", join(dir, "out.wasm")], { encoding: "utf8" });
      expect(opt.status, `${f}: ${opt.stderr}`).toBe(0);
    }
    const py = spawnSync(wasmtimePaths(root).python, ["-c", `
import sys, wasmtime
e = wasmtime.Engine()
for f in sys.argv[1:]:
    wasmtime.Module.validate(e, open(f, "rb").read())
print("ok", len(sys.argv) - 1)
`, ...files], { encoding: "utf8" });
    expect(py.stderr).toBe("");
    expect(py.stdout.trim()).toBe(`ok ${files.length}`);
  });

  it("lists its sections with a standard tool (binaryen's wasm-dis sees the custom sections)", () => {
    const r = spawnSync(join(root, "node_modules", ".bin", "wasm-dis"), [wasm], { encoding: "utf8", maxBuffer: 64 << 20 });
    expect(r.status).toBe(0);
    for (const s of ["quark.abi", "quark.modules", "quark.manifest", "quark.boot", "quark.mod.echo"]) expect(r.stdout).toContain(s);
  });

  it("is the same bytes when built again from scratch", () => {
    const dir = mkdtempSync(join(tmpdir(), "quark-det-"));
    const a = quark(["build", "images/default.toml", "--out", join(dir, "a.wasm"), "--force"]);
    const b = quark(["build", "images/default.toml", "--out", join(dir, "b.wasm"), "--force"]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(sha(readFileSync(join(dir, "a.wasm")))).toBe(sha(readFileSync(join(dir, "b.wasm"))));
  }, 300_000); // two forced builds of the default image's nine modules
});
