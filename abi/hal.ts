// The HAL's devices and their registers. The kernel reaches them through
// hal.mmio_read/mmio_write at absolute addresses; a service holding a
// K_DEVICE capability reaches a device with an id through dev_read/dev_write,
// by offset in its window. From these rows come the register constants
// (kernel/abi-hal.ts, re-exported by kernel/abi.ts) and the HAL's register
// dispatch (hal/mmio.ts): a new register is a row here, its handler in the
// device's file, and `npm run abi`.
import type { HalDevice } from "./schema-boot";

export const halDevices: HalDevice[] = [
  {
    name: "uart", prefix: "UART", base: 0x1000, size: 0x10, file: "uart", absolute: true,
    doc: "Console UART: a TX buffer flushed to the host a line at a time, an RX FIFO the host fills.",
    registers: [
      { name: "DATA", offset: 0x0, access: "rw", read: "uartRxRead", write: "uartTx", doc: "write: TX byte; read: next RX byte, or -1 when empty" },
      { name: "STATUS", offset: 0x4, access: "r", read: "uartStatus", doc: "UART_RX_READY | UART_RX_EOF" },
      { name: "CTRL", offset: 0x8, access: "rw", read: "uartCtrl", write: "uartSetCtrl", doc: "UART_IRQ_RX: interrupt when input arrives" },
      { name: "FLUSH", offset: 0xc, access: "w", write: "uartFlush", doc: "write: send what the TX buffer holds now (a prompt has no newline)" },
    ],
    values: [
      { name: "UART_RX_READY", value: 1, doc: "UART_STATUS: a byte is waiting in the RX FIFO" },
      { name: "UART_RX_EOF", value: 2, doc: "UART_STATUS: the console's input has ended" },
      { name: "UART_IRQ_RX", value: 1, doc: "UART_CTRL: raise IRQ_UART_RX when input arrives" },
      { name: "UART_RX_BUFFER", value: 4096, doc: "console input in bulk (docs/machine-abi.md): the host stages up to this many bytes at hal.uart_rx_buffer() and hal.uart_rx_write(n) moves what fits into the RX FIFO (also this size), so a host makes one call per FIFO-full, not one per byte" },
    ],
  },
  {
    name: "timer", prefix: "TIMER", base: 0x2000, size: 0x14, file: "timer", absolute: true,
    doc: "Timer: a 64-bit nanosecond counter from the host's clock and one comparator raising IRQ_TIMER.",
    registers: [
      { name: "NOW_LO", offset: 0x0, access: "r", read: "timerNowLo", doc: "reading LO latches the whole 64-bit ns counter" },
      { name: "NOW_HI", offset: 0x4, access: "r", read: "timerNowHi", doc: "the latched high word" },
      { name: "CMP_LO", offset: 0x8, access: "w", write: "timerSetCmpLo", doc: "writing LO arms the comparator (write HI first)" },
      { name: "CMP_HI", offset: 0xc, access: "w", write: "timerSetCmpHi", doc: "the comparator's high word" },
      { name: "CTRL", offset: 0x10, access: "rw", read: "timerCtrl", write: "timerSetCtrl", doc: "1: interrupt when now >= compare" },
    ],
    values: [],
  },
  {
    name: "intc", prefix: "INTC", base: 0x3000, size: 0xc, file: "intc", absolute: true,
    doc: "Interrupt controller: pending lines gated by an enable mask, polled by the kernel at every scheduling point.",
    registers: [
      { name: "PENDING", offset: 0x0, access: "r", read: "intcPendingNow", doc: "read: pending & enabled lines" },
      { name: "ACK", offset: 0x4, access: "w", write: "intcAck", doc: "write: clear these pending bits" },
      { name: "ENABLE", offset: 0x8, access: "rw", read: "intcEnabled", write: "intcSetEnabled", doc: "read/write: enabled lines" },
    ],
    values: [
      { name: "IRQ_TIMER", value: 1, doc: "line bits: the timer's comparator passed" },
      { name: "IRQ_UART_RX", value: 2, doc: "console input arrived" },
      { name: "IRQ_ENTROPY", value: 4, doc: "the entropy device's line (unused: its sources are read on demand)" },
    ],
  },
  {
    name: "entropy", prefix: "ENT", base: 0x4000, size: 0x40, file: "entropy", absolute: false, id: 1,
    doc: "Entropy: raw noise sources (docs/entropy.md), faults injectable for tests.",
    registers: [
      { name: "SOURCES", offset: 0x00, access: "r", read: "entropySources", doc: "number of raw noise sources" },
      { name: "SELECT", offset: 0x04, access: "rw", read: "entropySelected", write: "entropySelect", doc: "write: the source the next reads come from" },
      { name: "DATA", offset: 0x08, access: "r", read: "entropyData", doc: "read: 32 raw bits from the selected source" },
      { name: "FAULT", offset: 0x0c, access: "rw", read: "entropyFault", write: "entropySetFault", doc: "write: inject a fault into the selected source (ENT_FAULT_*)" },
    ],
    values: [
      { name: "ENT_FAULT_NONE", value: 0, doc: "the source is healthy" },
      { name: "ENT_FAULT_STUCK", value: 1, doc: "the source repeats one value" },
      { name: "ENT_FAULT_BIASED", value: 2, doc: "the source's bits are mostly ones" },
    ],
  },
];
