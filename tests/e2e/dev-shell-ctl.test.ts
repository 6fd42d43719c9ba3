// The shell's dev commands as a user drives them through `quark ctl`, under
// both hosts: on images/devices.toml (init, log, devmgr, shell) they list the
// bus, plug and unplug a block device, show the events with the bus's
// sequence numbers and set power policies; on an image without a device
// manager (log and the shell) they answer one line and exit 1. And from the host into a running
// machine: `quark ctl --control SOCK "dev plug block"`.
import { beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as abi from "../../kernel/abi";
import { buildImage } from "../../tools/lib/build";
import { bootControlled, image, quark, root, until } from "./helpers";

let devices = "";
let plain = "";

beforeAll(async () => {
  devices = await image("devices");
  const dir = mkdtempSync(join(tmpdir(), "quark-plain-"));
  writeFileSync(join(dir, "plain.toml"), `[image]\nname = "plain"\n\n[service.log]\nmodule = "${join(root, "userland", "log")}"\nrequires = ["condrv"]\ncaps = ["condrv"]\n\n` +
    `[service.shell]\nmodule = "${join(root, "userland", "shell")}"\nrequires = ["condrv"]\ncaps = ["condrv:call+grant", "init:call", "log"]\n\n` +
    `[service.condrv]\nmodule = "${join(root, "userland", "drivers", "console")}"\ncaps = ["uart"]\ninterrupts = ["uart"]\n`);
  plain = (await buildImage(join(dir, "plain.toml"), { root })).out;
}, 120_000);

const runtimes = ["node", "wasmtime"];
const block = `block-${abi.BUS_FIRST_ID}`;

describe("dev commands through quark ctl", () => {
  it.each(runtimes)("dev list --json: every static device, present and on, no references, driven by the service the manifest grants it to (%s)", (runtime) => {
    const r = quark(["ctl", devices, "--runtime", runtime, "dev list --json"]);
    expect(r.code, r.stderr).toBe(0);
    const list = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(list.map((d) => [d.slot, d.name, d.id, d.type, d.state, d.power, d.policy, d.references, d.handles, d.driver])).toEqual([
      [0, "timer", 0, "timer", "present", "on", "auto", 0, 0, null],
      [1, "uart", abi.DEV_UART, "uart", "present", "on", "auto", 0, 0, "condrv"],
      [2, "entropy", abi.DEV_ENTROPY, "entropy", "present", "on", "auto", 0, 0, null],
      [3, "intc", 0, "intc", "present", "on", "auto", 0, 0, null],
      [4, "bus", abi.DEV_BUS, "bus", "present", "on", "auto", 0, 0, "devmgr"],
    ]);
    // The bus's accounting: each has been on since the HAL started, and in no other state.
    for (const d of list) {
      expect(d.ns_on as number).toBeGreaterThan(0);
      expect([d.ns_suspended, d.ns_off]).toEqual([0, 0]);
    }
  });

  it.each(runtimes)("caps shows a driver's rule, help lists dev read and write, dev plug takes every pluggable type (%s)", (runtime) => {
    const r = quark(["ctl", devices, "--runtime", runtime, "caps blkdrv", "help", "dev plug qpu"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("blkdrv holds the driver rule for block devices\n");
    expect(r.stdout).not.toMatch(/blkdrv holds \?/);
    expect(r.stdout).toMatch(/\n  dev read NAME\|ID OFFSET LEN /);
    expect(r.stdout).toMatch(/\n  dev write NAME\|ID OFFSET HEX /);
    expect(r.stdout).toContain(`plugged qpu-${abi.BUS_FIRST_ID} in slot ${abi.BUS_STATIC_SLOTS} (event 1)`);
  });

  it.each(runtimes)("plugs a block device, shows it and its events, unplugs it (%s)", (runtime) => {
    const r = quark(["ctl", devices, "--runtime", runtime, "dev plug block", `dev info ${block} --json`, "dev events",
      `dev unplug ${block}`, "dev events --json", `dev info ${abi.BUS_FIRST_ID}`]);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe(`plugged ${block} in slot ${abi.BUS_STATIC_SLOTS} (event 1)`);
    expect(JSON.parse(lines[1])).toMatchObject({ slot: abi.BUS_STATIC_SLOTS, name: block, type: "block", id: abi.BUS_FIRST_ID,
      state: "present", power: "on", policy: "auto", references: 0, handles: 0, driver: "blkdrv" });
    expect(lines[2]).toBe(`1 plug ${block} (slot ${abi.BUS_STATIC_SLOTS})`);
    expect(lines[3]).toBe(`unplugged ${block} (event 2)`);
    expect(JSON.parse(lines[4])).toEqual([
      { seq: 1, event: "plug", slot: abi.BUS_STATIC_SLOTS, type: "block", id: abi.BUS_FIRST_ID, missed: 0 },
      { seq: 2, event: "unplug", slot: abi.BUS_STATIC_SLOTS, type: "block", id: abi.BUS_FIRST_ID, missed: 0 },
    ]);
    expect(lines[5]).toBe(`dev: ${abi.BUS_FIRST_ID} was unplugged (event 2)`);
    expect(r.code).toBe(1); // the last one was refused
  });

  it.each(runtimes)("a plugged block device is bound to blkdrv by its rule; dev write and dev read go through it (%s)", (runtime) => {
    const r = quark(["ctl", devices, "--runtime", runtime, "dev plug block", "dev list", `dev write ${block} 510 48656c6c6f`,
      `dev read ${block} 500 20`, `dev read ${abi.BUS_FIRST_ID} 65530 6`, `dev read ${block} 65530 7`, `dev write ${block} 0 4g`,
      `dev read ${block} 0`]);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe(`plugged ${block} in slot ${abi.BUS_STATIC_SLOTS} (event 1)`);
    expect(lines.find((l) => l.startsWith(`${abi.BUS_STATIC_SLOTS}    ${block}`))).toMatch(/ auto +0 +blkdrv /);
    expect(lines.slice(8)).toEqual([
      `wrote 5 bytes to ${block} at 510`,
      "000001f4  00 00 00 00 00 00 00 00 00 00 48 65 6c 6c 6f 00",
      "00000204  00 00 00 00",
      "0000fffa  00 00 00 00 00 00",
      `dev read ${block} refused: E_ARG`,
      "dev write: HEX must be pairs of hex digits (0-9, a-f), e.g. 48656c6c6f",
      "dev read needs OFFSET LEN",
      "",
    ]);
    expect(r.code).toBe(2);
  });

  it.each(runtimes)("the UART's driver is condrv, which its manifest grants it to; the devmgr forwards it nothing (%s)", (runtime) => {
    const r = quark(["ctl", devices, "--runtime", runtime, "dev info uart", "dev read uart 0 4", "dev info entropy"]);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe(`uart: uart, id ${abi.DEV_UART}, slot 1, present, on (policy auto), 0 references, 0 handles, driver condrv`);
    expect(lines).toContain("dev read uart refused: E_UNSUPPORTED");
    expect(lines.find((l) => l.startsWith("entropy: "))).toMatch(/, driver none$/);
    expect(r.code).toBe(1);
  });

  it.each(runtimes)("power: off, on, and auto with no references suspends after the idle delay (%s)", (runtime) => {
    const r = quark(["ctl", devices, "--runtime", runtime, "dev plug block", `dev power ${block}`, `dev power ${block} off`,
      `dev power ${block} on`, "dev idle", "dev idle 0", `dev power ${block} auto`, `dev info ${block} --json`, "dev power bus off",
      "dev power entropy sideways"]);
    expect(r.stdout.split("\n").slice(0, 10)).toEqual([
      `plugged ${block} in slot ${abi.BUS_STATIC_SLOTS} (event 1)`,
      `${block}: on (policy auto)`,
      `${block}: off (policy off)`,
      `${block}: on (policy on)`,
      `idle delay 100 ms`, // images/devices.toml: tags = [..., "idle-100ms"]
      "idle delay 0 ms",
      `${block}: suspended (policy auto)`,
      expect.stringContaining(`"power":"suspended","policy":"auto"`),
      "dev power: bus refused: E_UNSUPPORTED", // the bus supports only on
      "dev power: on, off or auto, not sideways",
    ]);
    expect(r.code).toBe(2);
  });

  it.each(runtimes)("the idle delay runs on the devmgr's timer: auto with no references suspends once it has passed (%s)", (runtime) => {
    // The devmgr's deadline (1 ms) comes before the shell's sleep ends (20 ms),
    // and the kernel serves timers in deadline order: the suspend has happened
    // before the last line runs, however slow the machine.
    const r = quark(["ctl", devices, "--runtime", runtime, "dev plug block", "dev idle 3600000", `dev power ${block} auto`,
      "dev idle 1", `dev power ${block} on`, `dev power ${block} auto`, "sleep 20", `dev power ${block}`]);
    expect(r.stdout.split("\n").slice(0, 7)).toEqual([
      `plugged ${block} in slot ${abi.BUS_STATIC_SLOTS} (event 1)`,
      "idle delay 3600000 ms",
      `${block}: on (policy auto)`, // an hour to go
      "idle delay 1 ms",
      `${block}: on (policy on)`,
      `${block}: on (policy auto)`, // the delay has only begun
      `${block}: suspended (policy auto)`,
    ]);
    expect(r.code, r.stderr).toBe(0);
  });

  it.each(runtimes)("a restarted devmgr reads the bus afresh: the devices are there, the old events are not (%s)", (runtime) => {
    const r = quark(["ctl", devices, "--runtime", runtime, "dev plug block", "svc restart devmgr", "dev list --json", "dev events",
      "dev plug block", "dev events"]);
    const lines = r.stdout.split("\n");
    expect(lines[1]).toBe("restart: devmgr ok");
    expect((JSON.parse(lines[2]) as { name: string }[]).map((d) => d.name)).toEqual(["timer", "uart", "entropy", "intc", "bus", block]);
    expect(lines.slice(3, 7)).toEqual([
      "no device events yet",
      `plugged block-${abi.BUS_FIRST_ID + 1} in slot ${abi.BUS_STATIC_SLOTS + 1} (event 2)`,
      "(1 earlier events no longer kept)", // event 1 went with the old instance: a reader learns it missed it
      `2 plug block-${abi.BUS_FIRST_ID + 1} (slot ${abi.BUS_STATIC_SLOTS + 1})`,
    ]);
    expect(r.code, r.stderr).toBe(0);
  });

  it.each(runtimes)("refusals: unknown names, static devices, types no model plugs (%s)", (runtime) => {
    const cases: [string, string, number][] = [
      ["dev info block-999", "dev: no device block-999 (try dev list)", 1],
      ["dev unplug entropy", "dev unplug entropy refused: E_UNSUPPORTED (a static device)", 1],
      ["dev plug uart", "dev plug uart refused: E_UNSUPPORTED (only pluggable models can be plugged)", 1],
      ["dev plug floppy", "dev plug: no device type floppy (uart, timer, intc, entropy, bus, block, qpu)", 2],
      ["dev frobnicate", "unknown dev command: frobnicate", 2],
      ["dev idle 3600001", "dev idle: MS must be a whole number from 0 to 3600000, not \"3600001\"", 2],
    ];
    for (const [cmd, out, code] of cases) {
      const r = quark(["ctl", devices, "--runtime", runtime, cmd]);
      expect(r.stdout.split("\n")[0], cmd).toContain(out);
      expect(r.code, cmd).toBe(code);
    }
  });

  it.each(runtimes)("an image without a device manager answers one line, exit 1 (%s)", (runtime) => {
    const r = quark(["ctl", plain, "--runtime", runtime, "dev list"]);
    expect(r.stdout).toBe("dev: no device manager in this image (a devmgr service granted to the shell: see images/devices.toml)\n");
    expect(r.code).toBe(1);
  });

  it.each(runtimes)("help lists the dev commands (%s)", (runtime) => {
    const r = quark(["ctl", devices, "--runtime", runtime, "help"]);
    for (const c of ["dev list [--json]", "dev info NAME|ID [--json]", "dev power NAME|ID [on|off|auto]", "dev events [--json]",
      "dev plug TYPE", "dev unplug NAME|ID"]) expect(r.stdout).toContain(c);
  });
});

describe("plugging from outside: quark ctl --control SOCK \"dev plug block\"", () => {
  it.each(runtimes)("plugs into a running machine, which keeps it across invocations (%s)", async (runtime) => {
    const run = bootControlled(devices, runtime);
    const { sock, boot, exited } = run;
    try {
      expect(await until(() => existsSync(sock) && run.console.includes("init: ready"), 60_000)).toBe(true);
      const plug = quark(["ctl", "--control", sock, "dev plug block"]);
      expect(plug.stdout).toBe(`plugged ${block} in slot ${abi.BUS_STATIC_SLOTS} (event 1)\n`);
      expect(plug.code).toBe(0);
      const again = quark(["ctl", "--control", sock, "dev plug block", "dev events"]);
      expect(again.stdout).toBe(`plugged block-${abi.BUS_FIRST_ID + 1} in slot ${abi.BUS_STATIC_SLOTS + 1} (event 2)\n` +
        `1 plug ${block} (slot ${abi.BUS_STATIC_SLOTS})\n2 plug block-${abi.BUS_FIRST_ID + 1} (slot ${abi.BUS_STATIC_SLOTS + 1})\n`);
      const unplug = quark(["ctl", "--control", sock, `dev unplug ${abi.BUS_FIRST_ID}`, "dev list --json"]);
      const [first, json] = unplug.stdout.split("\n");
      expect(first).toBe(`unplugged ${block} (event 3)`);
      expect((JSON.parse(json) as { name: string }[]).map((d) => d.name)).toEqual(["timer", "uart", "entropy", "intc", "bus", `block-${abi.BUS_FIRST_ID + 1}`]);
      expect(quark(["ctl", "--control", sock, "halt"]).code).toBe(0);
      expect(await exited).toBe(0);
    } finally {
      boot.kill();
    }
  }, 120_000);
});
