"""The QPU engine under wasmtime, for tests/unit/qpu-hosts.test.ts.

Reads one JSON request on stdin: {"wasm": path, "calibration": hex, "runs":
[{"job": hex, "shots": n, "seed": "decimal", "flags": n}, ...]} and prints
one JSON list: per run, the code and the results entries [lo, hi, count]. The
engine runs under the settings of the machine's own engine
(tools/host-wasmtime/machine.py).
"""
import json
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools", "host-wasmtime"))
import wasmtime  # noqa: E402
from machine import engine_config  # noqa: E402


def main():
    request = json.load(sys.stdin)
    engine = wasmtime.Engine(engine_config())
    store = wasmtime.Store(engine)
    module = wasmtime.Module.from_file(engine, request["wasm"])
    ex = wasmtime.Instance(store, module, []).exports(store)
    memory = ex["memory"]

    def write(at, data):
        memory.write(store, data, at)

    calibration = bytes.fromhex(request["calibration"])
    if calibration:
        write(ex["qpuCalibrationBuffer"](store, len(calibration)), calibration)
    code = ex["qpuCalibrate"](store, len(calibration))
    if code != 0:
        raise SystemExit(f"calibration refused: {code}")
    out = []
    for run in request["runs"]:
        job = bytes.fromhex(run["job"])
        write(ex["qpuJobBuffer"](store, len(job)), job)
        n = ex["qpuRun"](store, len(job), run["shots"], int(run["seed"]), run["flags"])
        entries = []
        if n > 0:
            raw = memory.read(store, ex["qpuResults"](store), ex["qpuResults"](store) + 16 * n)
            entries = [list(struct.unpack_from("<III", raw, 16 * e)) for e in range(n)]
        out.append({"code": n, "entries": entries})
    json.dump(out, sys.stdout)


main()
