// The HAL: device models behind a register interface. The kernel reads and
// writes registers through mmio_read/mmio_write; the host supplies only the
// clock (host.now), the console byte streams (host.console_out, uart_rx) and
// random bytes (host.random_fill).
import { uartReset, uartRx, uartRxBuffer, uartRxWrite } from "./uart";
import { timerReset } from "./timer";
import { intcReset } from "./intc";
import { entropyReset } from "./entropy";

export function hal_init(): void {
  uartReset();
  timerReset();
  intcReset();
  entropyReset();
}

// The register bus (mmio_read, mmio_write) is generated from abi/hal.ts.
export { mmio_read, mmio_write } from "./mmio";

export function uart_rx(byte: i32): i32 { return uartRx(byte); }
export function uart_rx_buffer(): i32 { return <i32>uartRxBuffer(); }
export function uart_rx_write(len: i32): i32 { return uartRxWrite(len); }
