// An interrupt line's binding goes with the capability that made it: a driver
// whose line capability is revoked (the device manager does so when a slot's
// device is unplugged, or its driver is unbound) loses the binding at once,
// masked, so the driver the next device in that slot goes to can bind it.
// Before, the binding stayed with the process until it ended.
import { describe, expect, it } from "vitest";
import * as abi from "../../kernel/abi";
import { asInit } from "../harness/kernel";

const LINE = 5; // the first hot-plug slot's

describe("interrupt lines and their capabilities", () => {
  it("a revoked line capability unbinds and masks its holder's line; another holder then binds it", () =>
    asInit((b) => {
      let slot = -1;
      const binder = () => b.spawn(16, { handle: (p) => p.k.irq_bind(slot, 0) });
      const first = binder();
      const second = binder();
      const call = (s: { slot: number }) => b.k.call(b.k.proc_endpoint(s.slot, 0), 1, 0n, 0n, 0n, 0n, 0n, 0n);
      const minted = b.k.irq_mint(abi.INIT_SLOT_BOOT, LINE);
      expect(minted).toBeGreaterThanOrEqual(0);
      // Both get a copy from init's: the first binds, the second is refused.
      slot = b.k.cap_give(first.slot, minted, abi.R_CONTROL, 0);
      expect(call(first)).toBe(abi.OK);
      const secondSlot = b.k.cap_give(second.slot, minted, abi.R_CONTROL, 0);
      slot = secondSlot;
      expect(call(second)).toBe(abi.E_PERM);
      // Revoking what init gave takes both copies, and the first's binding with its copy.
      expect(b.k.cap_revoke(minted)).toBeGreaterThanOrEqual(2);
      slot = b.k.cap_give(second.slot, minted, abi.R_CONTROL, 0);
      expect(call(second)).toBe(abi.OK);
      // And once more, from the second to a third.
      const third = binder();
      const thirdSlot = b.k.cap_give(third.slot, minted, abi.R_CONTROL, 0);
      slot = thirdSlot;
      expect(call(third)).toBe(abi.E_PERM);
      b.k.cap_revoke(minted);
      slot = b.k.cap_give(third.slot, minted, abi.R_CONTROL, 0);
      expect(call(third)).toBe(abi.OK);
      return 0;
    }));
});
