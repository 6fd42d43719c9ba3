// The run loop the host drives: take interrupts, then deliver queued messages
// and notifications one at a time, round robin, until nothing is ready or
// the budget is spent (so the host gets control back to feed input).
import { E_BUSY, RUN_IDLE, RUN_BUSY, RUN_HALT, INTC_PENDING, INTC_ACK, IRQ_TIMER, IRQ_UART_RX, IRQ_DMA, DEADLINE_INPUT, DEADLINE_NEVER } from "./abi";
import { mmio_read, mmio_write } from "./host";
import { expireTimers, nextDeadline, timerPending } from "./notify";
import { pickReady } from "./sched";
import { deliver } from "./ipc";
import { isHalted } from "./state";
import { activeDepth } from "./activation";
import { KERNEL_LINES, irqDeliver, linesWaiting } from "./irq";
import { dmaDrain } from "./dma";

const BUDGET = 4096;

/**
 * Take pending interrupts; true if there were any. The kernel's own lines are
 * acknowledged here; a driver's line is masked and stays latched until the
 * driver clears it (irq.ts).
 */
function interrupts(): bool {
  const pending = mmio_read(INTC_PENDING);
  if (pending == 0) return false;
  mmio_write(INTC_ACK, pending & KERNEL_LINES);
  if (pending & IRQ_TIMER) expireTimers();
  if (pending & IRQ_DMA) dmaDrain();
  if (pending & ~KERNEL_LINES) irqDeliver(pending);
  return true;
}

/**
 * One slice of the run loop; only the host calls it, with nothing on the
 * stack. Called from inside an entry (the hosts never link it to a service;
 * this holds even so) it would deliver messages inside a running handler:
 * it refuses with E_BUSY.
 */
export function run(): i32 {
  if (activeDepth() != 0) return E_BUSY;
  if (isHalted()) return RUN_HALT;
  interrupts();
  for (let n = 0; n < BUDGET; n++) {
    let pid = pickReady();
    // Before going idle, look again: a deadline may have passed while we worked.
    if (pid < 0 && interrupts()) pid = pickReady();
    if (pid < 0) return isHalted() ? RUN_HALT : RUN_IDLE;
    deliver(pid);
    if (isHalted()) return RUN_HALT;
  }
  return RUN_BUSY;
}

/**
 * Host-clock ns of the next timer or tick; -1: only console input can wake the
 * system; -2: nothing can. Console input can wake it when the UART's receive
 * line is bound, armed and not latched: the console driver arms it while a
 * reader waits for input. Ticks count only while something else (a timer, or
 * that line) keeps the system up.
 */
export function deadline(): f64 {
  const d = nextDeadline();
  const input = linesWaiting(IRQ_UART_RX);
  if (!input && !timerPending()) return -2;
  if (d > 0) return <f64>d;
  return input ? DEADLINE_INPUT : DEADLINE_NEVER;
}
