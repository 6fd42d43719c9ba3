// bench-spin (userland/bench-spin): the target of the limit benchmarks
// (images/bench.toml gives it a small cpu_budget and queue_depth).
import type { Protocol } from "../schema";

export const protocol: Protocol = {
  name: "bench",
  title: "bench-spin",
  range: [0x0210, 0x021f],
  tags: [
    { name: "TAG_SPIN", value: "0x0211", doc: "spin until the CPU budget stops the handler (FAULT_CPU: the caller gets E_CRASHED)" },
    { name: "TAG_SPIN_NOP", value: "0x0212", doc: "return OK at once" },
  ],
};
