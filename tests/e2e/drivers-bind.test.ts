// Drivers bound by manifest rules, I/O through the device manager, and
// "wait until bound", under both hosts (tests/fixtures/drivers-bind,
// docs/devices.md: The driver contract). Two services run the block driver:
// picky (driver_match = ["slot >= 7", ...], listed first) and blkdrv (every
// block device). prober is a client: each answer it logs is what the docs
// promise. hostile has a devmgr capability with +grant but no driver key: it
// claims to be a driver and calls the real one directly, and ends with no
// device or interrupt capability. The manifest refuses rules that bind
// nothing or cannot be read.
import { beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as abi from "../../kernel/abi";
import * as proto from "../../userland/lib/proto/index";
import { quark, root } from "./helpers";

const manifest = join(root, "tests", "fixtures", "drivers-bind", "image.toml");
const image = manifest.replace(/\.toml$/, ".wasm");

/** The lines services logged, without their time stamps. */
function serviceLines(stdout: string, who: string[]): string[] {
  return stdout.split("\n").map((l) => l.replace(/^\[\s*[\d.]+\] /, "")).filter((l) => who.some((w) => l.startsWith(`${w}: `)));
}

const id = abi.BUS_FIRST_ID;

describe("drivers bound by manifest rules", () => {
  beforeAll(() => {
    const b = quark(["build", manifest]);
    expect(b.code, b.stderr).toBe(0);
  });

  const logs: Record<string, string> = {};

  it.each(["node", "wasmtime"])("binds by rule, moves data through handles, refuses a false driver, waits until bound (%s)", (runtime) => {
    const r = quark(["boot", image, "--runtime", runtime]);
    expect(r.code, r.stderr).toBe(0);
    const lines = serviceLines(r.stdout, ["prober", "hostile"]);
    expect(lines).toEqual([
      "prober: wait for any bound block device: not yet",
      `prober: plugged block-${id} in slot 5: driver blkdrv`,
      `prober: wait for block-${id}: block-${id} bound to blkdrv`,
      `prober: plugged block-${id + 1} in slot 6: driver blkdrv`,
      `prober: plugged block-${id + 2} in slot 7: driver picky`,
      `prober: info: ${abi.BLK_SECTOR_COUNT * abi.BLK_SECTOR_BYTES} bytes in blocks of ${abi.BLK_SECTOR_BYTES}`,
      "prober: 4 KiB at 4096 on A: write OK (4096 bytes), read OK, same true",
      "prober: the same on B: read OK, zero true",
      "prober: 8 KiB on C (picky): write OK, read OK, same true",
      "prober: edges: off 1 E_ARG, len 513 E_ARG, past the end E_ARG, off -512 E_ARG, len past the buffer E_ARG, off 2^40 E_ARG, " +
        "no lease E_NOLEASE, read into a read-only lease E_RIGHTS, write from a write-only lease E_RIGHTS, lease shorter than len E_FAULT, " +
        "ioctl 99 E_UNSUPPORTED, len 0 OK",
      "prober: B closed: read through it E_BADSLOT",
      "hostile: announce with an endpoint E_PERM, without E_PERM; to blkdrv directly: read E_RIGHTS, attach E_RIGHTS, ioctl E_RIGHTS, " +
        "detach E_RIGHTS; device capabilities 0, interrupt lines 0",
      "prober: stop blkdrv: OK",
      `prober: told: block-${id} in slot 5 is bound to blkdrv`,
      "prober: blkdrv stopped: A's driver none, read E_STATE; C's driver picky",
      "prober: start blkdrv: OK",
      `prober: wait for block-${id}: block-${id} bound to blkdrv`,
      "prober: A after blkdrv's restart: read OK, the data written before true",
      "prober: unplug A: OK; read through its handle E_BADSLOT",
      `prober: plugged block-${id + 3} in slot 5: driver blkdrv`,
      `prober: block-${id + 3} read OK, zero true`,
      `prober: wait for block-${id + 4}, not plugged yet: not yet`,
      `prober: plugged block-${id + 4} in slot 8: driver picky`,
      `prober: told: block-${id + 4} in slot 8 is bound to picky`,
      `prober: block-${id + 4}: write OK, read OK, same true`,
      "prober: audit: handles 0, references 0, wrong 0",
      "prober: done",
    ]);
    expect(r.stdout).not.toMatch(/kernel: fault/);
    logs[runtime] = lines.join("\n");
  });

  it("prints the same log under both hosts", () => {
    expect(logs.wasmtime).toBe(logs.node);
  });
});

function scratch(services: string): string {
  const d = mkdtempSync(join(tmpdir(), "quark-drivers-"));
  mkdirSync(join(d, "svc"));
  writeFileSync(join(d, "svc", "index.ts"), "export function quark_start(a: i32, b: i32): i32 { return 0; }\n");
  const m = join(d, "image.toml");
  writeFileSync(m, `[image]\nname = "drivers"\n\n${services}`);
  return m;
}

describe("driver rules in the manifest", () => {
  it("refuses a type no model plugs, a condition it cannot read, too many, a match without a driver, several instances, the slots' lines without the bus", () => {
    const m = scratch([
      '[service.a]\nmodule = "svc"\ndriver = "blok"\n',
      '[service.b]\nmodule = "svc"\ndriver = "entropy"\n',
      '[service.c]\nmodule = "svc"\ndriver = "block"\ndriver_match = ["sectors > 3", "colour == 1", "id == 99999999999"]\n',
      '[service.d]\nmodule = "svc"\ndriver = "block"\ndriver_match = ["id != 1", "id != 2", "id != 3", "id != 4", "id != 5"]\n',
      '[service.e]\nmodule = "svc"\ndriver_match = ["id == 1"]\n',
      '[service.f]\nmodule = "svc"\ndriver = "block"\ninstances = 2\n',
      '[service.g]\nmodule = "svc"\ninterrupts = ["slots"]\n',
    ].join("\n"));
    const r = quark(["build", m]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: service "a" drives "blok", which no pluggable device model has as its type.*did you mean "block"/s);
    expect(r.stderr).toContain('error: service "b" drives "entropy", which no pluggable device model has as its type');
    expect(r.stderr).toContain('error: driver_match condition "sectors > 3" of service "c" is not PROPERTY OP NUMBER');
    expect(r.stderr).toContain('error: driver_match condition "colour == 1" of service "c" is not PROPERTY OP NUMBER');
    expect(r.stderr).toContain('error: driver_match condition "id == 99999999999" of service "c" is not PROPERTY OP NUMBER');
    expect(r.stderr).toContain(`error: driver_match of service "d" has 5 conditions`);
    expect(r.stderr).toContain('error: driver_match of service "e" without a driver');
    expect(r.stderr).toContain('error: driver "f" has 2 instances: the device manager binds one');
    expect(r.stderr).toContain('error: service "g" takes the slots\' lines without the bus');
  });

  it("writes the rule as GRANT_DRIVER and GRANT_MATCH records, and the slots' lines as GRANT_IRQ records", () => {
    const m = scratch('[service.d]\nmodule = "svc"\ndriver = "block"\ndriver_match = ["sectors >= 64", "id != 300"]\n\n' +
      '[service.m]\nmodule = "svc"\ncaps = ["bus"]\ninterrupts = ["bus", "slots"]\n');
    expect(quark(["build", m]).code).toBe(0);
    const r = quark(["inspect", m.replace(/\.toml$/, ".wasm"), "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const text = JSON.stringify(JSON.parse(r.stdout));
    expect(text).toContain(`{"kind":${abi.GRANT_DRIVER},"target":${abi.DEV_TYPE_BLOCK},"rights":0,"label":0}`);
    expect(text).toContain(`{"kind":${abi.GRANT_MATCH},"target":${proto.DEVP_SECTORS},"rights":${proto.BIND_GE},"label":64}`);
    expect(text).toContain(`{"kind":${abi.GRANT_MATCH},"target":${proto.DEVP_ID},"rights":${proto.BIND_NE},"label":300}`);
    for (let line = abi.BUS_STATIC_SLOTS; line < abi.BUS_SLOT_COUNT; line++) {
      expect(text).toContain(`{"kind":${abi.GRANT_IRQ},"target":${line},`);
    }
  });
});
