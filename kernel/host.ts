// The machine: functions the host and the HAL provide to the kernel
// (docs/machine-abi.md). Nothing else in the kernel talks to the outside.

/** Run an entry of process `pid`; INVOKE_TRAPPED if it trapped. */
@external("host", "invoke")
export declare function host_invoke(pid: i32, entry: i32, a0: i32, a1: i32): i32;

/** Instantiate image module `module` afresh as process `pid`. */
@external("host", "spawn")
export declare function host_spawn(pid: i32, module: i32, flags: i32): i32;

/** Drop process `pid`'s instance. */
@external("host", "kill")
export declare function host_kill(pid: i32): void;

/** Copy bytes between memories (pid 0 is the kernel); E_FAULT when out of range. */
@external("host", "copy")
export declare function host_copy(srcPid: i32, src: i32, dstPid: i32, dst: i32, len: i32): i32;

@external("hal", "mmio_read")
export declare function mmio_read(addr: i32): i32;

@external("hal", "mmio_write")
export declare function mmio_write(addr: i32, value: i32): void;
