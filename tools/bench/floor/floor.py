"""ipc.floor under wasmtime: the floor's modules (build/bench-floor/, built by
floor/build.ts) as plain instances in one store, joined by the wasmtime
host's own trampoline, chosen as the host chooses it (shim.trampoline: the C
one, libquarkshim.so, loaded and configured as for a booted image, or the
Python fallback where the shim cannot be used; the report names which). No
service loader, no HAL: the floor kernel is the only thing between client
and server.

    python floor.py DIR SHIM SAMPLES BATCH < ABI.json  ->  {"samples_ns": [...], "trampoline": ...} on stdout

ABI.json is this checkout's kernel/abi.ts as JSON (floor/index.ts writes it).
"""

import json
import struct
import sys
from pathlib import Path

HOST = Path(__file__).resolve().parents[2] / "host-wasmtime"
sys.path.insert(0, str(HOST))

import wasmtime  # noqa: E402

from machine import Service, engine_config  # noqa: E402
from shim import trampoline  # noqa: E402

# The floor kernel's layout (floor/build.ts LAYOUT).
SAMPLES_EXPORT = "samples_at"


class Abi:
    """What shim.py asks of an image: its ABI constants by name."""

    def __init__(self, constants):
        self.abi = constants

    def const(self, name):
        return self.abi[name]


def main(argv):
    if len(argv) != 4 or not (argv[2].isdigit() and argv[3].isdigit()):
        raise SystemExit("usage: floor.py DIR SHIM SAMPLES BATCH (SAMPLES and BATCH whole numbers)")
    folder, shim_path, samples, batch = Path(argv[0]), argv[1], int(argv[2]), int(argv[3])
    abi = Abi(json.load(sys.stdin))
    store = wasmtime.Store(wasmtime.Engine(engine_config()))
    tramp, slow = trampoline(shim_path, False, abi, False)
    host = tramp.host_funcs(store)
    module = {n: wasmtime.Module(store.engine, (folder / ("%s.wasm" % n)).read_bytes()) for n in ("kernel", "client", "server")}
    kernel_imports = [host[imp.name] for imp in module["kernel"].imports]
    kernel = wasmtime.Instance(store, module["kernel"], kernel_imports).exports(store)
    tramp.set_kernel_memory(kernel["memory"])
    linker = wasmtime.Linker(store.engine)
    for name in ("call", "time", "record"):
        linker.define(store, "quark", name, kernel[name])
    services = [None] + [Service(n, pre=linker.instantiate_pre(module[n])) for n in ("client", "server")]
    tramp.load(services)
    status = kernel["setup"](store)
    if status != abi.const("OK"):
        raise SystemExit("ipc.floor under wasmtime: setup answered %d" % status)
    status = kernel["run"](store, samples, batch)
    if status != abi.const("OK"):
        raise SystemExit("ipc.floor under wasmtime: the client answered %d" % status)
    at = kernel[SAMPLES_EXPORT](store)
    raw = kernel["memory"].read(store, at, at + 8 * samples)
    kind = "Python fallback: %s" % slow if slow else "C shim"
    print(json.dumps({"samples_ns": list(struct.unpack("<%dq" % samples, raw)), "trampoline": kind}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
