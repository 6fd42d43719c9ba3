// Kernel object kinds: what a capability names (cap_info's low byte). The
// display names are what `caps` prints.
import type { NamedSet } from "./schema";

export const objects: NamedSet = {
  fn: "kindName",
  title: "object kinds",
  unknown: "kind-%d",
  rows: [
    { name: "K_NONE", value: 0, display: "none" },
    { name: "K_ENDPOINT", value: 1, display: "endpoint" },
    { name: "K_NOTIFY", value: 2, display: "notify", doc: "a process's notification word (badge = allowed bits)" },
    { name: "K_PROCESS", value: 3, display: "process" },
    { name: "K_CONSOLE", value: 4, display: "console" },
    { name: "K_BOOT", value: 5, display: "boot", doc: "machine authority held by init: spawn, boot info, halt" },
    { name: "K_MEMORY", value: 6, display: "memory", doc: "a memory object: frames of kernel-managed memory" },
    { name: "K_DEVICE", value: 7, display: "device", doc: "a device's register window in the HAL (badge = device id)" },
    { name: "K_IRQ", value: 8, display: "irq", doc: "an interrupt line, to bind to a notification bit and re-arm (badge = the line)" },
  ],
};
