// A boot table whose record points outside the table, or at services that do
// not exist, is refused by init with one line, under both hosts: init checks
// every record before it uses any, so it never reads past the table or
// indexes past its services (which would trap it: "pid 1 aborted").
import { describe, expect, it, beforeAll } from "vitest";
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import * as abi from "../../kernel/abi";
import { readImage } from "../../tools/lib/image";
import { quark, root } from "./helpers";

let dir: string;
let image: Buffer;
let at: number; // where the boot table starts in the image file

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "quark-bt-"));
  mkdirSync(join(dir, "svc"));
  writeFileSync(join(dir, "svc", "index.ts"), "export function quark_start(a: i32, b: i32): i32 { return 0; }\n");
  const log = relative(dir, join(root, "userland", "log"));
  const condrv = relative(dir, join(root, "userland", "drivers", "console"));
  writeFileSync(join(dir, "bt.toml"), [
    "[image]", 'name = "bt"', "",
    "[service.log]", `module = "${log}"`, 'requires = ["condrv"]', 'caps = ["condrv"]', "",
    "[service.svc]", 'module = "svc"', 'requires = ["log"]', 'caps = ["log"]', 'tags = ["a"]', "",
    "[service.condrv]", `module = "${condrv}"`, 'caps = ["uart"]', 'interrupts = ["uart"]', "",
  ].join("\n"));
  const b = quark(["build", join(dir, "bt.toml")]);
  expect(b.code, b.stderr).toBe(0);
  image = readFileSync(join(dir, "bt.wasm"));
  at = image.indexOf(Buffer.from(readImage(new Uint8Array(image)).bootTable));
  expect(at).toBeGreaterThan(0);
});

/** The image with the u32 at `field` of service record `i` set to `value`. */
function patched(name: string, i: number, field: number, value: number): string {
  const bytes = Buffer.from(image);
  bytes.writeUInt32LE(value >>> 0, at + abi.BT_HEADER_BYTES + i * abi.BT_RECORD_BYTES + field);
  const file = join(dir, `${name}.wasm`);
  writeFileSync(file, bytes);
  return file;
}

/** The grant record k of service `i`'s offset in the table. */
function grantAt(i: number): number {
  return image.readUInt32LE(at + abi.BT_HEADER_BYTES + i * abi.BT_RECORD_BYTES + abi.BT_GRANTS_OFF);
}

const BAD: [string, () => string][] = [
  ["a name past the table's end", () => patched("name", 0, abi.BT_NAME_LEN, 0xffffffff)],
  ["a dependency list that wraps past 2^32", () => patched("ndeps", 1, abi.BT_NDEPS, 0x40000001)],
  ["tags past the table's end", () => patched("tags", 1, abi.BT_TAGS_OFF, 0xfffffff0)],
  ["a dependency on service 99 of 3", () => {
    const file = patched("dep", 1, abi.BT_NDEPS, 1);
    const bytes = readFileSync(file);
    bytes.writeUInt32LE(99, at + bytes.readUInt32LE(at + abi.BT_HEADER_BYTES + abi.BT_RECORD_BYTES + abi.BT_DEPS_OFF));
    writeFileSync(file, bytes);
    return file;
  }],
  ["a grant of service 7 of 3", () => {
    const bytes = Buffer.from(image);
    const g = at + grantAt(1);
    expect(bytes.readUInt32LE(g + abi.GRANT_KIND)).toBe(abi.GRANT_SERVICE);
    bytes.writeUInt32LE(7, g + abi.GRANT_TARGET);
    const file = join(dir, "grant.wasm");
    writeFileSync(file, bytes);
    return file;
  }],
];

describe("init and a boot table it cannot use", () => {
  it.each(["node", "wasmtime"])("boots the table as built (%s)", (runtime) => {
    const r = quark(["boot", join(dir, "bt.wasm"), "--until-ready", "--runtime", runtime]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("ready: 3 of 3 services running");
  });

  it.each(BAD.flatMap(([what, make]) => ["node", "wasmtime"].map((runtime) => [what, runtime, make] as const)))(
    "refuses %s with one line, never trapping (%s)", (_what, runtime, make) => {
      const r = quark(["boot", make(), "--until-ready", "--runtime", runtime]);
      expect(r.stdout).toMatch(/\] init: the boot table is unreadable\n/);
      expect(r.stdout).not.toMatch(/aborted|trap/);
      expect(r.code).toBe(abi.EXIT_PANIC);
    });
});
