// DMA through the kernel, through the CLI under both hosts
// (tests/fixtures/dma, kernel/dma.ts, docs/devices.md): a device reaches only
// the memory of the process that bound it; while bound, its registers are
// that process's alone; a device that does no DMA cannot be bound; the
// binding ends with its process, and another holder of the device can then
// take it. The conformance suite's dma tests check the transfers themselves
// (rights, holes, lengths, unbinding).
import { beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { quark, root, withoutTimings } from "./helpers";

const manifest = join(root, "tests", "fixtures", "dma", "image.toml");
const image = manifest.replace(/\.toml$/, ".wasm");

function serviceLines(stdout: string): string[] {
  return stdout.split("\n").map((l) => l.replace(/^\[\s*[\d.]+\] /, "")).filter((l) => /^(holder|thief): /.test(l));
}

describe("DMA bindings", () => {
  beforeAll(() => {
    const b = quark(["build", manifest]);
    expect(b.code, b.stderr).toBe(0);
  });

  const logs: Record<string, string> = {};

  // The Python trampoline too: host.copy's COPY_HAL is a row of its own table.
  const hosts = [
    { label: "node", args: ["--runtime", "node"] },
    { label: "wasmtime", args: ["--runtime", "wasmtime"] },
    { label: "wasmtime, Python trampoline", args: ["--runtime", "wasmtime", "--python-trampoline"] },
  ];
  it.each(hosts)("one binder at a time, released at its take-down, registers its alone ($label)", ({ label, args }) => {
    const r = quark(["boot", image, ...args]);
    expect(r.code, r.stderr).toBe(0);
    expect(serviceLines(r.stdout)).toEqual([
      "holder: bind: OK; again: OK; transfer: 32",
      "holder: no DMA: a block device E_UNSUPPORTED, the bus E_UNSUPPORTED",
      "holder: QPUs: OK OK OK OK OK OK E_NOSPACE E_NOSPACE; unbound 6; the last binds now: OK",
      "thief: bind while holder has it: E_PERM; unbind it: E_PERM",
      "holder: crashing with the device bound",
      "thief: bind once holder is gone: OK; transfer: 32",
      "holder: restarted: bind E_PERM; transfer: E_PERM",
    ]);
    expect(r.stdout).toMatch(/init: restarted holder \(restart 1\)/);
    logs[label] = serviceLines(withoutTimings(r.stdout)).join("\n");
  });

  it("prints the same log under both hosts", () => {
    expect(logs.wasmtime).toBe(logs.node);
    expect(logs["wasmtime, Python trampoline"]).toBe(logs.node);
  });
});
