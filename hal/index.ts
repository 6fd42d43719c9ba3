// The HAL: device models behind a register interface. The kernel reads and
// writes registers through mmio_read/mmio_write; the host supplies only the
// clock (host.now), the console byte streams (host.console_out, uart_rx) and
// random bytes (host.random_fill).
import * as abi from "../kernel/abi";
import { uartReset, uartTx, uartRxRead, uartStatus, uartCtrl, uartSetCtrl, uartRx, uartFlush, uartRxBuffer, uartRxWrite } from "./uart";
import { timerReset, timerNowLo, timerNowHi, timerSetCmpHi, timerSetCmpLo, timerCtrl, timerSetCtrl, check } from "./timer";
import { intcReset, intcPending, intcAck, intcEnabled, intcSetEnabled } from "./intc";
import { entropyReset, entropyRead, entropyWrite } from "./entropy";

export function hal_init(): void {
  uartReset();
  timerReset();
  intcReset();
  entropyReset();
}

/** The offset of `addr` in the entropy device's window, or -1 outside it. */
@inline function entropyReg(addr: i32): i32 {
  const off = addr - abi.ENTROPY_BASE;
  return <u32>off < <u32>abi.ENTROPY_SIZE ? off : -1;
}

export function mmio_read(addr: i32): i32 {
  switch (addr) {
    case abi.UART_DATA: return uartRxRead();
    case abi.UART_STATUS: return uartStatus();
    case abi.UART_CTRL: return uartCtrl();
    case abi.TIMER_NOW_LO: return timerNowLo();
    case abi.TIMER_NOW_HI: return timerNowHi();
    case abi.TIMER_CTRL: return timerCtrl();
    case abi.INTC_PENDING: check(); return intcPending();
    case abi.INTC_ENABLE: return intcEnabled();
  }
  const ent = entropyReg(addr);
  if (ent >= 0) return entropyRead(ent);
  return 0; // unmapped registers read as zero, as on a bus with pull-downs
}

export function mmio_write(addr: i32, value: i32): void {
  switch (addr) {
    case abi.UART_DATA: uartTx(value); break;
    case abi.UART_CTRL: uartSetCtrl(value); break;
    case abi.UART_FLUSH: uartFlush(); break;
    case abi.TIMER_CMP_HI: timerSetCmpHi(value); break;
    case abi.TIMER_CMP_LO: timerSetCmpLo(value); break;
    case abi.TIMER_CTRL: timerSetCtrl(value); break;
    case abi.INTC_ACK: intcAck(value); break;
    case abi.INTC_ENABLE: intcSetEnabled(value); break;
  }
  const ent = entropyReg(addr);
  if (ent >= 0) entropyWrite(ent, value);
}

export function uart_rx(byte: i32): i32 { return uartRx(byte); }
export function uart_rx_buffer(): i32 { return <i32>uartRxBuffer(); }
export function uart_rx_write(len: i32): i32 { return uartRxWrite(len); }
