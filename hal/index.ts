// The HAL: device models behind a register interface, each in a slot of the
// bus (hal/bus.ts), described by the rows of abi/hal.ts. The kernel reads and
// writes registers through mmio_read/mmio_write; the host supplies only the
// clock (host.now), the console byte streams (host.console_out, uart_rx) and
// random bytes (host.random_fill).
import { uartRx, uartRxBuffer, uartRxWrite } from "./uart";
import { resetDevices } from "./mmio";

/** Every static device as at power-up, the bus's slots empty (each device's reset, in slot order: abi/hal.ts). */
export function hal_init(): void { resetDevices(); }

// The register bus (mmio_read, mmio_write) is generated from abi/hal.ts.
export { mmio_read, mmio_write } from "./mmio";

export function uart_rx(byte: i32): i32 { return uartRx(byte); }
export function uart_rx_buffer(): i32 { return <i32>uartRxBuffer(); }
export function uart_rx_write(len: i32): i32 { return uartRxWrite(len); }
