#!/usr/bin/env python3
"""quark's wasmtime host: boots an image as docs/machine-abi.md describes.

    python3 host.py IMAGE.wasm [--until-ready] [--quiet] [--verbose]
                               [--python-trampoline] [--shim PATH] [--control PATH]
                               [--loader PATH]

Standard output carries the console and nothing else; diagnostics go to
standard error. Exit status: the kernel's exit code after RUN_HALT; 0 when
nothing can wake the system; 1 when the kernel refuses to boot or traps;
2 when the image (or this host's setup) cannot be booted at all.
"""

import argparse
import os
import select
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from image import ImageError, checkout_abi, load  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SHIM = ROOT / "build" / "host-wasmtime" / "libquarkshim.so"
DEFAULT_LOADER = ROOT / "build" / "loader.wasm"
SLOW_NOTICE = "quark: %s; using the slow Python trampoline (~50 µs per call)"


def parse_args(argv):
    p = argparse.ArgumentParser(prog="host.py", description="Boot a quark image under wasmtime.")
    p.add_argument("image", help="the image, images/<name>.wasm")
    p.add_argument("--until-ready", action="store_true", help="halt with code 0 once init reports ready")
    p.add_argument("--quiet", action="store_true", help="do not echo services' log lines to the console")
    p.add_argument("--interactive", action="store_true", help="standard input drives the console: the shell halts at its end")
    p.add_argument("--tty", action="store_true", help="standard input is a terminal: the shell prompts")
    p.add_argument("--verbose", action="store_true", help="report traps, with their pid, on stderr")
    p.add_argument("--python-trampoline", action="store_true", help="use the Python invoke/copy/now")
    p.add_argument("--shim", default=str(DEFAULT_SHIM), help="the compiled trampoline (libquarkshim.so)")
    p.add_argument("--control", help="a Unix socket for `quark ctl --control`: the machine runs until halted")
    p.add_argument("--loader", default=str(DEFAULT_LOADER), help="the service loader (build/loader.wasm)")
    p.add_argument("--loader-flags", type=int, default=0, help="the loader's LOADER_* flags (kernel/abi.ts); only quark bench sets one")
    return p.parse_args(argv)


def fail(message, code):
    print("quark: " + message, file=sys.stderr)
    return code


class Input:
    """Console input for hal.uart_rx: bytes read but not yet accepted, then the end of input.
    With a control socket, its connections are console input too, and input never ends."""

    def __init__(self, fd, control=None):
        self.fd = fd
        self.control = control
        self.pending = b""
        self.eof = not _readable(fd)
        self.eof_sent = control is not None  # held open by the control socket

    def feed(self, machine, stage, ok):
        """Hands bytes to the UART until its FIFO is full; True if it took any.
        In bulk: up to `stage` bytes written at hal.uart_rx_buffer(), then one
        hal.uart_rx_write call (a Python call into wasmtime costs ~20 µs, too much per byte)."""
        taken = 0
        at = machine.hal["uart_rx_buffer"](machine.store) & 0xFFFFFFFF
        while self.pending:
            chunk = self.pending[:stage]
            machine.hal_memory.write(machine.store, chunk, at)
            n = machine.hal["uart_rx_write"](machine.store, len(chunk))
            if n <= 0:
                break
            self.pending = self.pending[n:]
            taken += n
        if self.eof and not self.pending and not self.eof_sent and machine.uart_rx(-1) == ok:
            self.eof_sent = True
            taken += 1
        return taken > 0

    def wait(self, timeout):
        """Sleeps until `timeout` (s; None = forever) or input; False if nothing can ever arrive."""
        if self.pending or (self.eof and not self.eof_sent):
            # The FIFO is full while the kernel idles: poll rather than read more.
            time.sleep(0.001 if timeout is None else min(timeout, 0.001))
            return True
        if self.control is not None:
            return self._wait_control(timeout)
        if self.eof:
            if timeout is None:
                return False
            time.sleep(timeout)
            return True
        if select.select([self.fd], [], [], timeout)[0]:
            try:
                data = os.read(self.fd, 4096)
            except OSError:
                data = b""
            self.pending, self.eof = data, not data
        return True


    def _wait_control(self, timeout):
        fds = self.control.fds() + ([] if self.eof else [self.fd])
        ready, writable, _ = select.select(fds, self.control.waiting(), [], timeout)
        self.control.flush(writable)
        if self.fd in ready:
            try:
                data = os.read(self.fd, 4096)
            except OSError:
                data = b""
            self.pending += data
            self.eof = not data
        self.pending += self.control.readable([r for r in ready if r != self.fd])
        return True


def _readable(fd):
    try:
        os.fstat(fd)
        return True
    except OSError:
        return False


# Exit code when the kernel itself trapped: never a service's doing.
KERNEL_TRAP_EXIT = 3


def kernel_trapped(machine):
    pid = machine.trampoline.kernel_trap()
    if pid < 0:
        return False
    print("quark: the kernel trapped while serving pid %d (a kernel bug; halting)" % pid, file=sys.stderr)
    return True


def run(machine, image, now, control=None):
    """Boot step 6, the run loop; returns the exit code."""
    c = image.const
    busy, halt, idle = c("RUN_BUSY"), c("RUN_HALT"), c("RUN_IDLE")
    inp = Input(0, control)
    while True:
        r = machine.call("run")
        if kernel_trapped(machine):
            return KERNEL_TRAP_EXIT
        if r == busy:
            continue
        if r == halt:
            return machine.call("exit_code")
        if r != idle:
            return fail("kernel.run() returned %d, which is no RUN_* value" % r, 1)
        if inp.feed(machine, c("UART_RX_BUFFER"), c("OK")):
            continue
        deadline = machine.call("next_deadline")
        if deadline == -2:
            return 0
        timeout = None if deadline < 0 else max(0.0, (deadline - now()) / 1e9)
        if not inp.wait(timeout):
            return 0


def boot(machine, image, args):
    """Boot steps 4 and 5: the boot table, then kernel.boot(flags); an exit code if it fails."""
    c = image.const
    table = image.boot_table
    at = machine.call("boot_buffer", len(table)) & 0xFFFFFFFF
    if at == 0:
        return fail("the kernel has no room for the %d-byte boot table" % len(table), 2)
    machine.write_kernel(at, table)
    flags = (c("BOOT_UNTIL_READY") if args.until_ready else 0) | (c("BOOT_QUIET") if args.quiet else 0)
    flags |= (c("BOOT_INTERACTIVE") if args.interactive else 0) | (c("BOOT_TTY") if args.tty else 0)
    status = machine.call("boot", flags)
    if status != c("OK"):
        return fail("kernel.boot() failed: %s (%d)" % (image.error_name(status), status), 1)
    return None


def main(argv):
    args = parse_args(argv)
    try:
        import wasmtime
    except ImportError:
        return fail("the wasmtime package is missing: run `quark setup wasmtime`", 2)
    from machine import Machine
    from shim import trampoline, root_cause

    try:
        expected = checkout_abi()  # what this checkout's kernel/abi.ts says: every image must agree
    except (OSError, ValueError, SyntaxError) as e:
        return fail("cannot read this checkout's kernel/abi.ts: %s" % e, 2)
    try:
        image = load(args.image, expected)
        tramp, slow = trampoline(args.shim, args.python_trampoline, image, args.verbose)
        if slow:
            print(SLOW_NOTICE % slow, file=sys.stderr)
        machine = Machine(image, tramp, args.verbose, args.image, args.loader, args.loader_flags)
    except ImageError as e:
        # One line with no prefix and EXIT_BAD_IMAGE, as the Node host (tools/lib/image-check.ts).
        print(str(e) if e.file else "%s: %s" % (args.image, e), file=sys.stderr)
        return expected["EXIT_BAD_IMAGE"]
    except (wasmtime.WasmtimeError, wasmtime.Trap) as e:
        return fail("%s: cannot instantiate: %s" % (args.image, root_cause(e)), 2)
    control = None
    if args.control:
        from control import ControlSocket
        try:
            control = ControlSocket(args.control, image.const("CONTROL_BACKLOG"))
        except OSError as e:
            return fail("cannot open the control socket %s: %s" % (args.control, e), 2)
        machine.tee = control.write
    try:
        status = boot(machine, image, args)
        if status is None and kernel_trapped(machine):
            return KERNEL_TRAP_EXIT
        return status if status is not None else run(machine, image, tramp.now, control)
    except (wasmtime.Trap, wasmtime.WasmtimeError) as e:
        return fail("the kernel trapped: %s" % root_cause(e), 1)
    except KeyboardInterrupt:
        return 130
    finally:
        if control is not None:
            control.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
