// Hot-plug as a service sees it, through the CLI under both hosts
// (tests/fixtures/devices-bus): a service granted the bus (caps = ["bus"])
// plugs a block device, derives a capability to it by its fresh id, writes a
// sector and reads it back through dev_write/dev_read, suspends it (it reads
// 0) and resumes it (its data kept), unplugs it, and the
// next access through that capability answers E_REVOKED, for good: the
// device plugged next in the same slot has another id.
import { beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import * as abi from "../../kernel/abi";
import { quark, root, withoutTimings } from "./helpers";

const manifest = join(root, "tests", "fixtures", "devices-bus", "image.toml");
const image = manifest.replace(/\.toml$/, ".wasm");
const slot = abi.BUS_STATIC_SLOTS;

describe("a service drives a hot-plugged block device through the bus", () => {
  beforeAll(() => {
    const b = quark(["build", manifest]);
    expect(b.code, b.stderr).toBe(0);
  });

  const logs: Record<string, string> = {};

  it.each(["node", "wasmtime"])("plugs, writes and reads a sector, unplugs, and gets E_REVOKED after (%s)", (runtime) => {
    const r = quark(["boot", image, "--runtime", runtime, "--until-ready"]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split("\n").filter((l) => l.includes("] disk: ")).map((l) => l.replace(/^\[\s*[\d.]+\] disk: /, ""));
    expect(lines).toEqual([
      `bus: ${abi.BUS_SLOT_COUNT} slots, ${abi.BUS_STATIC_SLOTS} static; seq 0`,
      `plugged a block device (type ${abi.DEV_TYPE_BLOCK}) in slot ${slot} as device ${abi.BUS_FIRST_ID}; seq 1`,
      `sector 5 written and read back: 128 of 128 words match`,
      "suspended it reads 0 sectors, back on 128, its data window kept: yes",
      `unplug slot ${slot}: OK; seq 2`,
      "after the unplug: dev_read E_REVOKED, dev_write E_REVOKED",
      `plugged again in slot ${slot} as device ${abi.BUS_FIRST_ID + 1}; the old capability: E_REVOKED; a capability to the old id: E_ARG`,
    ]);
    expect(r.stdout).toMatch(/init: ready: 3 of 3 services running/);
    logs[runtime] = withoutTimings(r.stdout);
  });

  it("prints the same log under both hosts", () => {
    expect(logs.wasmtime).toBe(logs.node);
  });
});
