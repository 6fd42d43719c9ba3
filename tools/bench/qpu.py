"""The QPU engine's timings under wasmtime, for tools/bench/qpu.ts.

Reads {"wasm": path, "rounds": n, "allow": qubits, "runs": [{"job": hex,
"flags": n}, ...]} on stdin; sets the engine to allow that many qubits, runs
each job once to warm up, then `rounds` times each in order;
prints {"ns": [[ns of each run] per round]}. The engine settings are the
machine's own (tools/host-wasmtime/machine.py).
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "host-wasmtime"))
import wasmtime  # noqa: E402
from machine import engine_config  # noqa: E402


def main():
    request = json.load(sys.stdin)
    engine = wasmtime.Engine(engine_config())
    store = wasmtime.Store(engine)
    ex = wasmtime.Instance(store, wasmtime.Module.from_file(engine, request["wasm"]), []).exports(store)
    memory, job_buffer, run = ex["memory"], ex["qpuJobBuffer"], ex["qpuRun"]
    if ex["qpuAllow"](store, request["allow"]) < 0:
        raise SystemExit(f"the engine does not allow {request['allow']} qubits")
    jobs = [(bytes.fromhex(r["job"]), r["flags"]) for r in request["runs"]]

    def once(job, flags):
        memory.write(store, job, job_buffer(store, len(job)))
        start = time.perf_counter_ns()
        code = run(store, len(job), 0, 1, flags)
        ns = time.perf_counter_ns() - start
        if code < 0:
            raise SystemExit(f"the engine refused its job ({code})")
        return ns

    for job, flags in jobs:
        once(job, flags)
    json.dump({"ns": [[once(job, flags) for job, flags in jobs] for _ in range(request["rounds"])]}, sys.stdout)


main()
