// The HAL's devices and their registers. The kernel reaches them through
// hal.mmio_read/mmio_write at absolute addresses; a service holding a
// K_DEVICE capability reaches a device with an id through dev_read/dev_write,
// by offset in its window. Every device sits in a slot of the bus (hal/bus.ts):
// the static ones in fixed slots, pluggable models in any free slot at each
// BUS_PLUG. From these rows come the register constants (kernel/abi-hal.ts,
// re-exported by kernel/abi.ts), the HAL's register dispatch (hal/mmio.ts) and
// descriptor table (hal/devices.ts), the kernel's windows (kernel/devices.ts),
// the manifest's device names and what `quark inspect` lists
// (tools/lib/devices.ts), and the tables of docs/hal.md: a new register is a
// row here, its handler in the device's file, and `npm run abi`
// (docs/devices.md: adding a device model).
import type { HalBus, HalDevice, HalType } from "./schema-boot";

/** Device types (DEV_TYPE_*): what BUS_TYPE reads and BUS_PLUG takes. */
export const halTypes: HalType[] = [
  { name: "uart", value: 1, doc: "a serial console" },
  { name: "timer", value: 2, doc: "a clock with a comparator" },
  { name: "intc", value: 3, doc: "an interrupt controller" },
  { name: "entropy", value: 4, doc: "raw noise sources" },
  { name: "bus", value: 5, doc: "a bus: enumeration, hot-plug, power" },
  { name: "block", value: 6, doc: "a disk of 512-byte sectors" },
  { name: "qpu", value: 7, doc: "a quantum processor: runs QPU jobs (abi/qpu.ts)" },
];

// Line = slot: slot s raises bit 1 << s of the interrupt controller, so at
// most 32 slots. The timer and the UART keep lines 0 and 1 (IRQ_TIMER = 1,
// IRQ_UART_RX = 2, as before slots existed). The UART's row comes after the
// bus's so that its id is 3 (ids run 1, 2, ... in table order).
export const halBus: HalBus = { slots: 16, slotBase: 0x10000, slotStride: 0x1000, firstId: 0x100 };

export const halDevices: HalDevice[] = [
  {
    name: "timer", type: "timer", slot: 0, prefix: "TIMER", base: 0x2000, size: 0x14, file: "timer", absolute: true,
    irq: "IRQ_TIMER", power: ["on"], dma: "none", pluggable: false, reset: "timerReset",
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
    name: "intc", type: "intc", slot: 3, prefix: "INTC", base: 0x3000, size: 0x28, file: "intc", absolute: true,
    irq: "IRQ_DMA", power: ["on"], dma: "none", pluggable: false, reset: "intcReset",
    doc: "Interrupt controller: pending lines gated by an enable mask, polled by the kernel at every scheduling point; and the queue of the devices' DMA requests (hal/dma.ts), which the kernel serves (IRQ_DMA while it is not empty).",
    registers: [
      { name: "PENDING", offset: 0x0, access: "r", read: "intcPendingNow", doc: "read: pending & enabled lines" },
      { name: "ACK", offset: 0x4, access: "w", write: "intcAck", doc: "write: clear these pending bits" },
      { name: "ENABLE", offset: 0x8, access: "rw", read: "intcEnabled", write: "intcSetEnabled", doc: "read/write: enabled lines" },
      { name: "DMA_COUNT", offset: 0xc, access: "r", read: "dmaCount", doc: "DMA requests waiting; the ones below describe the oldest" },
      { name: "DMA_DEV", offset: 0x10, access: "r", read: "dmaDev", doc: "the asking device's id" },
      { name: "DMA_DIR", offset: 0x14, access: "r", read: "dmaDir", doc: "DMA_TO_DEVICE or DMA_FROM_DEVICE" },
      { name: "DMA_ADDR", offset: 0x18, access: "r", read: "dmaAddr", doc: "the virtual address in the bound process's kernel-managed memory" },
      { name: "DMA_PTR", offset: 0x1c, access: "r", read: "dmaPtr", doc: "where in the HAL's memory (host.copy's COPY_HAL)" },
      { name: "DMA_LEN", offset: 0x20, access: "r", read: "dmaLen", doc: "bytes, 1 to DMA_MAX" },
      { name: "DMA_DONE", offset: 0x24, access: "w", write: "dmaDone", doc: "write: the oldest request's result (bytes moved, or the error code): it leaves the queue and its device is told" },
    ],
    values: [
      { name: "DMA_QUEUE", value: 8, doc: "DMA requests the queue holds; a device asking past it is answered E_NOSPACE at once" },
    ],
  },
  {
    name: "entropy", type: "entropy", slot: 2, prefix: "ENT", base: 0x4000, size: 0x40, file: "entropy", absolute: false, id: 1,
    irq: "IRQ_ENTROPY", power: ["on", "suspend", "off"], dma: "bus-master", pluggable: false, reset: "entropyReset",
    doc: "Entropy: raw noise sources (docs/entropy.md), faults injectable for tests, read a word at a time or in bulk by DMA into the memory of the process that bound it (dma_bind); its line rises when a DMA transfer ends.",
    registers: [
      { name: "SOURCES", offset: 0x00, access: "r", read: "entropySources", doc: "number of raw noise sources" },
      { name: "SELECT", offset: 0x04, access: "rw", read: "entropySelected", write: "entropySelect", doc: "write: the source the next reads come from" },
      { name: "DATA", offset: 0x08, access: "r", read: "entropyData", doc: "read: 32 raw bits from the selected source" },
      { name: "FAULT", offset: 0x0c, access: "rw", read: "entropyFault", write: "entropySetFault", doc: "write: inject a fault into the selected source (ENT_FAULT_*)" },
      { name: "DMA_ADDR", offset: 0x10, access: "rw", read: "entropyDmaAddr", write: "entropySetDmaAddr", doc: "where the next transfer writes: a virtual address of the bound process's kernel-managed memory" },
      { name: "DMA_LEN", offset: 0x14, access: "rw", read: "entropyDmaLen", write: "entropySetDmaLen", doc: "how many bytes (1 to ENT_DMA_MAX; others are refused at ENT_DMA_GO)" },
      { name: "DMA_GO", offset: 0x18, access: "w", write: "entropyDmaGo", doc: "write: fill DMA_LEN bytes from the selected source into DMA_ADDR; ENT_DMA_STATUS says how it went, and the line rises when it ends" },
      { name: "DMA_STATUS", offset: 0x1c, access: "r", read: "entropyDmaStatus", doc: "ENT_DMA_IDLE, ENT_DMA_BUSY, the bytes the last transfer wrote, or why it failed (an error code: E_STATE when no process has the device bound, E_UNMAPPED, E_PROT, E_NOMEM, E_ARG for a bad length)" },
    ],
    values: [
      { name: "ENT_FAULT_NONE", value: 0, doc: "the source is healthy" },
      { name: "ENT_FAULT_STUCK", value: 1, doc: "the source repeats one value" },
      { name: "ENT_FAULT_BIASED", value: 2, doc: "the source's bits are mostly ones" },
      { name: "ENT_DMA_MAX", value: 4096, doc: "bytes one transfer may write" },
      { name: "ENT_DMA_IDLE", value: 0, doc: "ENT_DMA_STATUS: no transfer yet" },
      { name: "ENT_DMA_BUSY", value: 1073741824, doc: "ENT_DMA_STATUS: a transfer is under way (ENT_DMA_GO is ignored meanwhile); 1 << 30, above any length" },
    ],
  },
  {
    name: "bus", type: "bus", slot: 4, prefix: "BUS", base: 0x5000, size: 0x5c, file: "bus", absolute: false, id: 2,
    irq: "IRQ_BUS", power: ["on"], dma: "none", pluggable: false, reset: "busReset",
    doc: "The bus: every device's slot, enumerated through a selected slot; hot-plug (PLUG, UNPLUG, a sequence number, IRQ_BUS at each); per-slot power states and the time spent in each (docs/devices.md).",
    registers: [
      { name: "SLOTS", offset: 0x00, access: "r", read: "busSlots", doc: "the number of slots (BUS_SLOT_COUNT), static ones included" },
      { name: "SELECT", offset: 0x04, access: "rw", read: "busSelected", write: "busSelect", doc: "write: the slot the registers below describe (a slot that does not exist is ignored)" },
      { name: "STATE", offset: 0x08, access: "r", read: "busState", doc: "BUS_EMPTY or BUS_PRESENT" },
      { name: "TYPE", offset: 0x0c, access: "r", read: "busType", doc: "the device's DEV_TYPE_*, 0 when empty" },
      { name: "ID", offset: 0x10, access: "r", read: "busId", doc: "the id a K_DEVICE capability names it by; 0 for the kernel's own devices and an empty slot" },
      { name: "WIN_BASE", offset: 0x14, access: "r", read: "busWinBase", doc: "its register window's address (0 when empty)" },
      { name: "WIN_SIZE", offset: 0x18, access: "r", read: "busWinSize", doc: "its register window's size in bytes (0 when empty)" },
      { name: "IRQ", offset: 0x1c, access: "r", read: "busIrq", doc: "its interrupt line's bit in the INTC_* registers (1 << slot), 0 if it raises none" },
      { name: "POWER_CAPS", offset: 0x20, access: "r", read: "busPowerCaps", doc: "the power states it supports: bit 1 << BUS_PWR_* for each" },
      { name: "FLAGS", offset: 0x24, access: "r", read: "busFlags", doc: "BUS_F_HOTPLUG | BUS_F_DMA" },
      { name: "POWER", offset: 0x28, access: "rw", read: "busPower", write: "busSetPower", doc: "its power state (BUS_PWR_*, 0 when empty); write: move it to that state, ignored unless it supports it" },
      { name: "TIME_ON_LO", offset: 0x2c, access: "r", read: "busTimeOnLo", doc: "ns it has spent on since it was plugged (or the HAL started); reading LO latches HI" },
      { name: "TIME_ON_HI", offset: 0x30, access: "r", read: "busTimeHi", doc: "the latched high word" },
      { name: "TIME_SUSPEND_LO", offset: 0x34, access: "r", read: "busTimeSuspendLo", doc: "ns spent suspended; reading LO latches HI" },
      { name: "TIME_SUSPEND_HI", offset: 0x38, access: "r", read: "busTimeHi", doc: "the latched high word" },
      { name: "TIME_OFF_LO", offset: 0x3c, access: "r", read: "busTimeOffLo", doc: "ns spent off; reading LO latches HI" },
      { name: "TIME_OFF_HI", offset: 0x40, access: "r", read: "busTimeHi", doc: "the latched high word" },
      { name: "SEQ", offset: 0x44, access: "r", read: "busSeq", doc: "the bus's sequence number: 0 at start, one more at every plug and every unplug" },
      { name: "PLUG", offset: 0x48, access: "rw", read: "busPlugResult", write: "busPlug", doc: "write: a pluggable DEV_TYPE_*: a new device of that model in the lowest free slot, with a fresh id; read: that slot, or E_NOSPACE (no free slot), E_UNSUPPORTED (a type no model can plug), E_ARG (no such type); E_STATE before any plug" },
      { name: "UNPLUG", offset: 0x4c, access: "rw", read: "busUnplugResult", write: "busUnplug", doc: "write: a slot: its hot-plugged device is removed and all its state reset; read: OK, or E_UNSUPPORTED (a static device), E_STATE (an empty slot), E_ARG (no such slot); E_STATE before any unplug" },
      { name: "RESOLVE", offset: 0x50, access: "rw", read: "busResolved", write: "busResolve", doc: "the kernel's lookup: write an id; read: its device's window address, BUS_GONE if it was unplugged, 0 if no device ever had it" },
      { name: "RESOLVE_SIZE", offset: 0x54, access: "r", read: "busResolvedSize", doc: "the window size of the id RESOLVE was given, 0 unless its device is present" },
      { name: "RESOLVE_FLAGS", offset: 0x58, access: "r", read: "busResolvedFlags", doc: "the BUS_FLAGS of the id RESOLVE was given, 0 unless its device is present (dma_bind binds only a device with BUS_F_DMA)" },
    ],
    values: [
      { name: "BUS_EMPTY", value: 0, doc: "BUS_STATE: no device in the slot" },
      { name: "BUS_PRESENT", value: 1, doc: "BUS_STATE: a device sits in the slot" },
      { name: "BUS_PWR_ON", value: 1, doc: "BUS_POWER: working" },
      { name: "BUS_PWR_SUSPEND", value: 2, doc: "BUS_POWER: reads 0, ignores writes, keeps its state for the next BUS_PWR_ON" },
      { name: "BUS_PWR_OFF", value: 3, doc: "BUS_POWER: reads 0, ignores writes, loses its state (back to BUS_PWR_ON it is as just plugged)" },
      { name: "BUS_F_HOTPLUG", value: 1, doc: "BUS_FLAGS: hot-plugged: BUS_UNPLUG can remove it" },
      { name: "BUS_F_DMA", value: 2, doc: "BUS_FLAGS: it reaches memory by DMA (dma_bind, kernel/dma.ts)" },
      { name: "BUS_GONE", value: -1, doc: "BUS_RESOLVE: the id's device was unplugged (ids are never reused)" },
    ],
  },
  {
    name: "uart", type: "uart", slot: 1, prefix: "UART", base: 0x1000, size: 0x20, file: "uart", absolute: false, id: 3,
    irq: "IRQ_UART_RX", power: ["on"], dma: "bus-master", pluggable: false, reset: "uartReset",
    doc: "Console UART: a TX buffer flushed to the host a line at a time, an RX FIFO the host fills, and transmit by DMA: a run of bytes read from the memory of the process that bound it (dma_bind) and sent to the host in one call. The console driver (userland/drivers/console) holds it and its line; the kernel writes its own lines to it directly (kernel/console.ts).",
    registers: [
      { name: "DATA", offset: 0x0, access: "rw", read: "uartRxRead", write: "uartTx", doc: "write: TX byte; read: next RX byte, or -1 when empty" },
      { name: "STATUS", offset: 0x4, access: "r", read: "uartStatus", doc: "UART_RX_READY | UART_RX_EOF" },
      { name: "CTRL", offset: 0x8, access: "rw", read: "uartCtrl", write: "uartSetCtrl", doc: "UART_IRQ_RX: interrupt when input arrives" },
      { name: "FLUSH", offset: 0xc, access: "w", write: "uartFlush", doc: "write: send what the TX buffer holds now (a prompt has no newline)" },
      { name: "TX_ADDR", offset: 0x10, access: "rw", read: "uartTxAddr", write: "uartSetTxAddr", doc: "where the next transmit reads: a virtual address of the bound process's kernel-managed memory" },
      { name: "TX_LEN", offset: 0x14, access: "rw", read: "uartTxLen", write: "uartSetTxLen", doc: "how many bytes (1 to UART_TX_MAX; others are refused at UART_TX_GO)" },
      { name: "TX_GO", offset: 0x18, access: "w", write: "uartTxGo", doc: "write: read TX_LEN bytes at TX_ADDR by DMA (device from memory) and send them after what the TX buffer holds, every whole line in one call to the host, a last partial line kept in the TX buffer as DATA would keep it; ignored while a transfer is under way" },
      { name: "TX_STATUS", offset: 0x1c, access: "r", read: "uartTxStatus", doc: "UART_TX_IDLE, UART_TX_BUSY, the bytes the last transmit sent, or why it sent none (an error code: E_ARG for a length of 0 or over UART_TX_MAX, E_STATE when no process has the UART bound, E_UNMAPPED, E_PROT or E_ARG for a range the binder cannot read, E_NOSPACE when the DMA queue is full)" },
    ],
    values: [
      { name: "UART_RX_READY", value: 1, doc: "UART_STATUS: a byte is waiting in the RX FIFO" },
      { name: "UART_RX_EOF", value: 2, doc: "UART_STATUS: the console's input has ended" },
      { name: "UART_IRQ_RX", value: 1, doc: "UART_CTRL: raise IRQ_UART_RX when input arrives" },
      { name: "UART_RX_BUFFER", value: 4096, doc: "console input in bulk (docs/machine-abi.md): the host stages up to this many bytes at hal.uart_rx_buffer() and hal.uart_rx_write(n) moves what fits into the RX FIFO (also this size), so a host makes one call per FIFO-full, not one per byte" },
      { name: "UART_TX_MAX", value: 4096, doc: "bytes one transmit by DMA (UART_TX_GO) may send" },
      { name: "UART_TX_IDLE", value: 0, doc: "UART_TX_STATUS: no transmit yet" },
      { name: "UART_TX_BUSY", value: 1073741824, doc: "UART_TX_STATUS: a transmit is under way (UART_TX_GO is ignored meanwhile); 1 << 30, above any length. A driver does not see it after its own UART_TX_GO: the kernel serves the DMA queue, which holds at most DMA_QUEUE (below DMA_DRAIN) requests ahead of this one, before dev_write returns" },
    ],
  },
  {
    name: "block", type: "block", prefix: "BLK", size: 0x400, file: "block", absolute: false,
    irq: "slot", power: ["on", "suspend", "off"], dma: "none", pluggable: true, reset: "blockReset",
    doc: "A RAM disk of BLK_SECTOR_COUNT sectors of 512 bytes, programmed I/O through a one-sector data window; raises its slot's line when a command completes. Pluggable: each instance has its own sectors, zeroed when it is unplugged or powered off.",
    registers: [
      { name: "SECTORS", offset: 0x00, access: "r", read: "blockSectors", doc: "the number of sectors (BLK_SECTOR_COUNT)" },
      { name: "SECTOR", offset: 0x04, access: "rw", read: "blockSector", write: "blockSelect", doc: "the sector the next command reads or writes (any value: a command checks it)" },
      { name: "CMD", offset: 0x08, access: "rw", read: "blockCmd", write: "blockCommand", doc: "write: BLK_CMD_READ (sector to data window) or BLK_CMD_WRITE (data window to sector), done before the write returns; read: the last command" },
      { name: "STATUS", offset: 0x0c, access: "r", read: "blockStatus", doc: "BLK_IDLE, BLK_BUSY, BLK_DONE or why the last command failed (BLK_ERR_*)" },
      { name: "DATA", offset: 0x200, count: 128, access: "rw", read: "blockData", write: "blockSetData", doc: "the data window: one sector, 128 little-endian words" },
    ],
    values: [
      { name: "BLK_SECTOR_BYTES", value: 512, doc: "bytes in a sector" },
      { name: "BLK_SECTOR_COUNT", value: 128, doc: "sectors in a disk (64 KiB)" },
      { name: "BLK_CMD_READ", value: 1, doc: "BLK_CMD: copy the selected sector into the data window" },
      { name: "BLK_CMD_WRITE", value: 2, doc: "BLK_CMD: copy the data window into the selected sector" },
      { name: "BLK_IDLE", value: 0, doc: "BLK_STATUS: no command yet" },
      { name: "BLK_BUSY", value: 1, doc: "BLK_STATUS: a command is running (never seen here: programmed I/O completes within the BLK_CMD write; a driver waits for BLK_DONE all the same)" },
      { name: "BLK_DONE", value: 2, doc: "BLK_STATUS: the last command completed" },
      { name: "BLK_ERR_SECTOR", value: 3, doc: "BLK_STATUS: the selected sector is not below BLK_SECTOR_COUNT" },
      { name: "BLK_ERR_CMD", value: 4, doc: "BLK_STATUS: no such command" },
    ],
  },
  {
    name: "qpu", type: "qpu", prefix: "QPU", size: 0x48, file: "qpu-device", absolute: false,
    irq: "slot", power: ["on"], dma: "bus-master", pluggable: true, reset: "qpuReset",
    doc: "An emulated quantum processor (docs/qpu.md): QPU_CMD_RUN reads a job by DMA from the bound process's memory, runs it on the statevector engine (hal/qpu/), ideal or with the calibrated noise, and writes the counts back by DMA; QPU_CMD_CALIBRATE reads a calibration table the same way. Raises its slot's line when a command ends. One engine serves every QPU plugged: commands run one after another.",
    registers: [
      { name: "QUBITS", offset: 0x00, access: "rw", read: "qpuQubits", write: "qpuSetQubits", doc: "the qubits it allows (QPU_DEFAULT_QUBITS at plug); write: 1 to QPU_MAX_QUBITS, else QPU_STATUS says why" },
      { name: "JOB_ADDR", offset: 0x04, access: "rw", read: "qpuJobAddr", write: "qpuSetJobAddr", doc: "the job's virtual address in the bound process's kernel-managed memory" },
      { name: "JOB_LEN", offset: 0x08, access: "rw", read: "qpuJobLen", write: "qpuSetJobLen", doc: "the job's bytes" },
      { name: "SHOTS", offset: 0x0c, access: "rw", read: "qpuShots", write: "qpuSetShots", doc: "shots of the next run (0: the state only, no counts)" },
      { name: "SEED_LO", offset: 0x10, access: "rw", read: "qpuSeedLo", write: "qpuSetSeedLo", doc: "the run's 64-bit seed, low word" },
      { name: "SEED_HI", offset: 0x14, access: "rw", read: "qpuSeedHi", write: "qpuSetSeedHi", doc: "the seed's high word" },
      { name: "FLAGS", offset: 0x18, access: "rw", read: "qpuFlags", write: "qpuSetFlags", doc: "QRUN_* flags of the next run" },
      { name: "RES_ADDR", offset: 0x1c, access: "rw", read: "qpuResAddr", write: "qpuSetResAddr", doc: "where the counts go: a virtual address in the bound process's memory" },
      { name: "RES_LEN", offset: 0x20, access: "rw", read: "qpuResLen", write: "qpuSetResLen", doc: "room there in bytes (QRES_ENTRY_BYTES per outcome; under QRUN_MEMORY QRES_SHOT_BYTES per shot)" },
      { name: "CAL_ADDR", offset: 0x24, access: "rw", read: "qpuCalAddr", write: "qpuSetCalAddr", doc: "a calibration table's virtual address (docs/qpu.md)" },
      { name: "CAL_LEN", offset: 0x28, access: "rw", read: "qpuCalLen", write: "qpuSetCalLen", doc: "its bytes; 0 makes the QPU ideal again" },
      { name: "CMD", offset: 0x2c, access: "rw", read: "qpuCmd", write: "qpuCommand", doc: "write: QPU_CMD_RUN or QPU_CMD_CALIBRATE (ignored while QPU_BUSY); read: the last command" },
      { name: "STATUS", offset: 0x30, access: "r", read: "qpuStatus", doc: "QPU_IDLE, QPU_BUSY, after a run the outcomes written (QPU_RESULTS of them), after a calibration OK, or why the command failed (an error code; QPU_REASON* say more)" },
      { name: "RESULTS", offset: 0x34, access: "r", read: "qpuResultCount", doc: "the outcomes the last run gave, or under QRUN_MEMORY its shots (also when RES_LEN was too small: E_NOSPACE)" },
      { name: "REASON", offset: 0x38, access: "r", read: "qpuReasonNow", doc: "the engine's QERR_* reason for the last refusal (docs/qpu.md)" },
      { name: "REASON_AT", offset: 0x3c, access: "r", read: "qpuReasonAtNow", doc: "the instruction it concerns (-1: none)" },
      { name: "REASON_A", offset: 0x40, access: "r", read: "qpuReasonANow", doc: "the reason's first number (low 32 bits)" },
      { name: "REASON_B", offset: 0x44, access: "r", read: "qpuReasonBNow", doc: "its second number (low 32 bits)" },
    ],
    values: [
      { name: "QPU_CMD_RUN", value: 1, doc: "QPU_CMD: read the job, run it, write the counts" },
      { name: "QPU_CMD_CALIBRATE", value: 2, doc: "QPU_CMD: read the calibration table (or none: ideal)" },
      { name: "QPU_IDLE", value: 0, doc: "QPU_STATUS: no command yet" },
      { name: "QPU_BUSY", value: 1073741824, doc: "QPU_STATUS: a command is under way (1 << 30, above any count)" },
    ],
  },
];
