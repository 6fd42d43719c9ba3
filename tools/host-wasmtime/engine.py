"""The wasmtime engine of the quark board, driven over two pipes.

The board (tools/board/, in Node; the client is tools/host-wasmtime/launch.ts)
reads and checks the image, runs the service loader and the link policy, and
owns the run loop, console input, the control socket, exit codes and every
message. This process only does what needs the engine: it compiles what it
is handed, links imports by name (machine.py), instantiates, and runs the
trampolines (shim.py, shim.c). Its standard input carries requests and its
standard output replies; anything else printed goes to standard error.

A frame is a header of two little-endian u32 (the JSON's length, the blob's
length), a JSON array whose first element names the message, and the blob:

    board -> engine                        engine -> board
    ["load", {...}] + modules              ["loaded", slow-trampoline reason or null, input bytes per step]
                                           ["refused", module or null, reason]
    ["boot", flags]                        ["booted", status or null (no room), trap pid, trap, traps] + console bytes
    ["step", end] + input bytes            ["stepped", took, ended, run, exit, deadline, wait ms, trap pid, trap, traps]
                                             + console bytes
    ["module", status, refusal] + bytes    ["stage", pid, index] (asked during a step: a hot reload)
                                           ["out"] + console bytes (what came before a "stage")

"trap pid" and "trap" are a trap in the kernel's own code; "traps" are the
services' traps caught by the trampoline since the last reply, each [pid,
module name, the engine's message, kernel.fault_cause(pid)], which the board
names and prints.

Console output rides on the reply that ends a boot or a step, so a step that
prints a thousand lines still costs one frame; a step that runs long sends
what it printed as an "out" frame every OUT_FLUSH_S (or OUT_FLUSH_BYTES), so
the console never lags the machine by more than that.

The engine exits when its standard input ends.
"""

import json
import os
import signal
import struct
import sys
import time

HEADER = struct.Struct("<II")
NO_TRAP = -1
# kernel.run() is called again, up to this many times per step, while it answers
# RUN_BUSY or takes more of the input offered: a pipe round trip costs far more
# than a call.
BUSY_RUNS = 16
# Console output held back at most this long, or this much, before it is sent on its own.
OUT_FLUSH_S = 0.02
OUT_FLUSH_BYTES = 1 << 16


class Pipe:
    def __init__(self, rfd, wfd):
        self.rfd, self.wfd = rfd, wfd

    def _exactly(self, n):
        data = bytearray()
        while len(data) < n:
            chunk = os.read(self.rfd, n - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        return bytes(data)

    def read(self):
        jlen, blen = HEADER.unpack(self._exactly(HEADER.size))
        message = json.loads(self._exactly(jlen))
        return message, (self._exactly(blen) if blen else b"")

    def send(self, message, blob=b""):
        head = json.dumps(message, separators=(",", ":")).encode()
        data = HEADER.pack(len(head), len(blob)) + head + blob
        view = memoryview(data)
        while view:
            view = view[os.write(self.wfd, view):]


class Prepared:
    """The image as the board hands it over: what machine.py and shim.py read."""

    def __init__(self, header, blob):
        self.abi = header["abi"]
        self.linkable = [tuple(t) for t in header["linkable"]]
        at = header["kernel"]
        self.kernel = blob[:at]
        self.kernel_key = header.get("kernelKey")
        self.code_cache = header.get("codeCache")
        self.modules, self.module_bytes, self.refusals, self.keys = [], [], [], []
        for m in header["modules"]:
            self.modules.append({"name": m["name"], "kind": m["kind"]})
            self.module_bytes.append(blob[at:at + m["size"]])
            self.refusals.append(m.get("refused"))
            self.keys.append(m.get("key"))
            at += m["size"]
        self.boot_table = blob[at:]

    def const(self, name):
        return self.abi[name]


class Engine:
    def __init__(self, pipe, options, image):
        import wasmtime
        from machine import ImageError, Machine
        from shim import root_cause, trampoline

        self.pipe, self.image, self.c = pipe, image, image.const
        self.output = []  # console bytes since the last frame that carried them
        self.held = 0  # their length
        self.since = 0.0  # when the oldest of them came
        self.printed = 0  # console bytes of the current step
        self._wasmtime, self._root_cause = wasmtime, root_cause
        try:
            self.tramp, slow = trampoline(options["shim"], options["pythonTrampoline"], image, options["verbose"])
            self.machine = Machine(image, self.tramp, options["verbose"], self._out, self._fetch)
        except ImageError as e:
            pipe.send(["refused", e.module, str(e)])
            raise SystemExit(0)
        except (wasmtime.WasmtimeError, wasmtime.Trap) as e:
            pipe.send(["refused", None, "cannot instantiate: %s" % root_cause(e)])
            raise SystemExit(0)
        pipe.send(["loaded", slow, BUSY_RUNS * self.c("UART_RX_BUFFER")])

    def _out(self, data):
        if not self.output:
            self.since = time.monotonic()
        self.output.append(data)
        self.held += len(data)
        self.printed += len(data)
        if self.held >= OUT_FLUSH_BYTES or time.monotonic() - self.since >= OUT_FLUSH_S:
            self.pipe.send(["out"], self.take_output())

    def take_output(self):
        data, self.output, self.held = b"".join(self.output), [], 0
        return data

    def _fetch(self, pid, index):
        """A hot reload's module, from the board: (status, loader output, link refusal)."""
        if self.output:
            self.pipe.send(["out"], self.take_output())
        self.pipe.send(["stage", pid, index])
        (_, status, refused), body = self.pipe.read()
        return status, body, refused

    def _trap(self):
        return self.tramp.kernel_trap()

    def traps(self):
        """The services' traps since the last reply, each with the cause the kernel recorded for its pid."""
        from quark_abi import FAULT_CAUSE_EXPORT  # beside machine.py, on the path main() sets up
        traps = self.tramp.take_traps()
        if not traps:
            return traps
        m = self.machine
        try:
            cause = m.kernel[FAULT_CAUSE_EXPORT]
        except KeyError:
            cause = None  # a hand-made kernel of the tests: the board names the trap's kind
        for t in traps:
            n, trap = self._guarded(lambda: cause(m.store, t[0])) if cause else (0, None)
            t.append(n if trap is None else 0)
        return traps

    def _guarded(self, call):
        """A kernel export called by the board; a trap raised here is in the kernel's own code."""
        try:
            return call(), None
        except (self._wasmtime.Trap, self._wasmtime.WasmtimeError) as e:
            return None, self._root_cause(e)

    def boot(self, flags):
        m = self.machine
        table = self.image.boot_table
        at, trap = self._guarded(lambda: m.call("boot_buffer", len(table)) & 0xFFFFFFFF)
        if trap is None and at == 0:
            return ["booted", None, NO_TRAP, None]
        if trap is None:
            m.write_kernel(at, table)
            status, trap = self._guarded(lambda: m.call("boot", flags))
        pid = self._trap()
        return ["booted", status if trap is None else self.c("OK"), pid if trap is None else NO_TRAP, trap]

    def feed(self, data):
        """Hands bytes to the UART in bulk until its FIFO is full; how many it took."""
        m, took = self.machine, 0
        stage = self.c("UART_RX_BUFFER")
        at = m.hal["uart_rx_buffer"](m.store) & 0xFFFFFFFF
        while took < len(data):
            chunk = data[took:took + stage]
            m.hal_memory.write(m.store, chunk, at)
            n = m.hal["uart_rx_write"](m.store, len(chunk))
            if n <= 0:
                break
            took += n
        return took

    def step(self, end, data):
        m, c = self.machine, self.c
        self.printed = 0
        took = self.feed(data) if data else 0
        ended = bool(end) and took == len(data) and m.uart_rx(-1) == c("OK")
        busy = c("RUN_BUSY")
        for _ in range(BUSY_RUNS):
            r, trap = self._guarded(lambda: m.call("run"))
            if trap is not None:
                return ["stepped", took, ended, None, 0, 0, 0, NO_TRAP, trap]
            if self._trap() >= 0 or r == c("RUN_HALT"):
                break
            if took < len(data):
                # The reader may have drained the FIFO: offer the rest, and run again if it took any;
                # unless this step printed much already: the board paces output (a control connection
                # that stops reading is dropped with the input it sent that is not in yet).
                if self.printed >= OUT_FLUSH_BYTES:
                    break
                more = self.feed(data[took:])
                took += more
                if more == 0:
                    break
            elif r != busy:
                break
        exit_code = deadline = wait = 0
        if r == c("RUN_HALT"):
            exit_code = m.call("exit_code")
        elif r == c("RUN_IDLE"):
            deadline = m.call("next_deadline")
            wait = max(0.0, (deadline - self.tramp.now()) / 1e6) if deadline >= 0 else 0
        return ["stepped", took, ended, r, exit_code, deadline, wait, self._trap(), None]


def main():
    # Ctrl-C reaches the whole process group: the board owns it (it ends the
    # run with EXIT_INTERRUPTED and closes this engine's input, which ends it).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Replies go out on a private copy of standard output; standard output
    # itself becomes standard error, so nothing printed can corrupt a frame.
    pipe = Pipe(0, os.dup(1))
    os.dup2(2, 1)
    try:
        import machine  # noqa: F401  (wasmtime loads while the board checks the image)
        (_, options), blob = pipe.read()
        engine = Engine(pipe, options, Prepared(options, blob))
        while True:
            message, blob = pipe.read()
            if message[0] == "step":
                reply = engine.step(message[1], blob)
            elif message[0] == "boot":
                reply = engine.boot(message[1])
            else:
                continue
            reply.append(engine.traps())
            pipe.send(reply, engine.take_output())
    except (EOFError, BrokenPipeError):
        return 0  # the board is done with this engine
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.exit(main())
