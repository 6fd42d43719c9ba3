// Interrupts to a driver service, through the CLI under both hosts
// (tests/fixtures/irq-driver, docs/interrupts.md): the manifest routes the
// bus's line to `driver` (interrupts = ["bus"]), init mints its IRQ
// capability, and the driver binds the line to a notification bit. Delivery
// masks the line; it stays masked until the driver re-arms it; re-armed while
// still latched, it is delivered again; a driver that crashes in the middle
// of handling is restarted with its line masked, and gets the latched
// interrupt once it arms it (the bus's sequence number shows no new raise).
// Hostile services: a copy of the driver's capability in another process
// cannot bind, arm, mask or clear the bound line, nor mint; a service without
// the grant gets an error code from every interrupt syscall with every slot
// and edge value, typed or through the generic entry, and cannot derive an
// IRQ capability. The manifest refuses a line routed twice, a line without
// its device's registers and a multi-instance driver.
import { beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as abi from "../../kernel/abi";
import { quark, root, withoutTimings } from "./helpers";

const manifest = join(root, "tests", "fixtures", "irq-driver", "image.toml");
const image = manifest.replace(/\.toml$/, ".wasm");

/** The lines services logged, without their time stamps. */
function serviceLines(stdout: string, who: string[]): string[] {
  return stdout.split("\n").map((l) => l.replace(/^\[\s*[\d.]+\] /, "")).filter((l) => who.some((w) => l.startsWith(`${w}: `)));
}

describe("interrupts routed to a driver service", () => {
  beforeAll(() => {
    const b = quark(["build", manifest]);
    expect(b.code, b.stderr).toBe(0);
  });

  const logs: Record<string, string> = {};

  it.each(["node", "wasmtime"])("delivers, masks, re-delivers a latched line, survives a crash mid-handling; hostile services get errors (%s)", (runtime) => {
    const r = quark(["boot", image, "--runtime", runtime]);
    expect(r.code, r.stderr).toBe(0);
    expect(serviceLines(r.stdout, ["driver", "thief"])).toEqual([
      "driver: before binding: irq_control E_STATE",
      "driver: bind to bit 0: OK; edge values: 15 of 15 refused, E_ARG: E_ARG E_ARG",
      "driver: raised the line (seq 1), bound but not armed",
      "driver: timer: 0 interrupts while not armed",
      "thief: holds a copy (irq): bind E_PERM, arm E_STATE, mask E_STATE, clear E_STATE, mint with it E_KIND",
      "driver: thief: OK",
      "driver: arm: OK",
      "driver: interrupt 1 (seq 1); not re-armed, the bus raises the line again",
      "driver: timer: still 1 interrupt (seq 2): the line stays masked until re-armed",
      "driver: re-arm without clearing: OK",
      "driver: interrupt 2 (seq 2): the latched line came again once re-armed; clear and re-arm: OK",
      "driver: interrupt 3 (seq 3) at once: crashing in the middle of handling it",
      "driver: restarted: bind OK, not armed yet (seq 3)",
      "driver: timer: 0 interrupts before arming",
      "driver: arm: OK",
      "driver: interrupt 1 after the restart (seq 3): the one the crash left latched; done: OK",
    ]);
    const hostile = serviceLines(r.stdout, ["hostile"]);
    expect(hostile).toHaveLength(2);
    expect(hostile[0]).toMatch(/^hostile: 0 of \d+ interrupt syscalls accepted; errors E_ARG E_BADSLOT E_KIND$/);
    expect(hostile[1]).toBe("hostile: IRQ capabilities held after deriving from the bus with every badge: 0");
    expect(r.stdout).toMatch(/init: restarted driver \(restart 1\)/);
    expect(r.stdout).not.toMatch(/kernel: fault: (hostile|thief)/);
    logs[runtime] = serviceLines(withoutTimings(r.stdout), ["driver", "thief", "hostile"]).join("\n");
  });

  it("prints the same log under both hosts", () => {
    expect(logs.wasmtime).toBe(logs.node);
  });
});

function scratch(services: string): string {
  const d = mkdtempSync(join(tmpdir(), "quark-irq-"));
  mkdirSync(join(d, "svc"));
  writeFileSync(join(d, "svc", "index.ts"), "export function quark_start(a: i32, b: i32): i32 { return 0; }\n");
  const m = join(d, "image.toml");
  writeFileSync(m, `[image]\nname = "irq"\n\n${services}`);
  return m;
}

describe("interrupts in the manifest", () => {
  it("refuses a line routed to two drivers, a line without its device, a multi-instance driver and an unknown device", () => {
    const m = scratch([
      '[service.a]\nmodule = "svc"\ncaps = ["bus"]\ninterrupts = ["bus"]\n',
      '[service.b]\nmodule = "svc"\ncaps = ["bus"]\ninterrupts = ["bus"]\n',
      '[service.c]\nmodule = "svc"\ninterrupts = ["entropy"]\n',
      '[service.d]\nmodule = "svc"\ncaps = ["entropy"]\ninstances = 2\ninterrupts = ["entropy"]\n',
      '[service.e]\nmodule = "svc"\ninterrupts = ["buss"]\n',
    ].join("\n"));
    const r = quark(["build", m]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: the interrupt line of "bus" is already driven by service "a"');
    expect(r.stderr).toContain('error: service "c" drives the interrupts of "entropy" without its registers');
    expect(r.stderr).toContain('error: service "d" has 2 instances: only one can drive the line of "entropy"');
    expect(r.stderr).toMatch(/error: unknown device "buss" in interrupts of service "e".*did you mean "bus"/s);
  });

  it("writes a GRANT_IRQ record with the device's line after the service's grants", () => {
    const m = scratch('[service.a]\nmodule = "svc"\ncaps = ["bus:read"]\ninterrupts = ["bus"]\n');
    expect(quark(["build", m]).code).toBe(0);
    const r = quark(["inspect", m.replace(/\.toml$/, ".wasm"), "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const grants = JSON.stringify(JSON.parse(r.stdout)).match(/"grants":\[[^\]]*\]/g) ?? [];
    expect(grants.some((g) => g.includes(`"kind":${abi.GRANT_IRQ},"target":4,`))).toBe(true);
  });
});
