// What the host drives must not nest (issue: a service that linked boot or run
// rebooted the kernel under running services, or delivered messages inside a
// running handler). The hosts never link them to a service (linkable.test.ts);
// the kernel refuses re-entry on its own as well. Driven on the real kernel.
import { describe, expect, it } from "vitest";
import * as abi from "../../kernel/abi";
import { asInit } from "../harness/kernel";

describe("kernel entry points the host drives", () => {
  it("boot runs once: a second boot is E_STATE and the boot buffer is closed", async () => {
    const r = await asInit((b) => ({ boot: b.k.boot(0), buffer: b.k.boot_buffer(64) }));
    expect(r).toEqual({ boot: abi.E_STATE, buffer: 0 });
  });

  it("run called from inside an entry is E_BUSY, at any depth, and delivers nothing", async () => {
    const r = await asInit((b) => {
      const fromInit = b.k.run();
      let fromHandler = 0;
      const server = b.spawn(16, { handle: (s) => { fromHandler = s.k.run(); return abi.OK; } });
      const ep = b.k.proc_endpoint(server.slot, 0);
      const call = b.k.call(ep, 0x7000, 0n, 0n, 0n, 0n, 0n, 0n);
      return { fromInit, fromHandler, call };
    });
    expect(r).toEqual({ fromInit: abi.E_BUSY, fromHandler: abi.E_BUSY, call: abi.OK });
  });
});
