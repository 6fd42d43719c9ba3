;; ipc.floor's "kernel": the least a capability call can be. call() checks a
;; slot table in its own memory the way kernel/cspace.ts lookup does (bounds,
;; kind, rights, nothing more) and enters the server through the host's
;; trap-catching trampoline (host.invoke), as kernel/ipc.ts call does; no
;; frames, no budgets, no stack window. Each name in double braces is a
;; constant of kernel/abi.ts, filled in by floor/build.ts.
(module
  (import "host" "invoke" (func $invoke (param i32 i32 i32 i32) (result i32)))
  (import "host" "spawn" (func $spawn (param i32 i32 i32) (result i32)))
  (import "host" "now" (func $now (result f64)))

  (memory (export "memory") 1)
  ;; Slot table at 0: per (pid, slot) three i32s: kind, rights, target pid.
  ;; Samples (i64 ns) from SAMPLES_AT.
  (global $current (mut i32) (i32.const 0))

  ;; The client's syscalls (module "quark").
  (func (export "call") (param $slot i32) (param $tag i32)
      (param i64) (param i64) (param i64) (param i64) (param i64) (param i64) (result i32)
    (local $g i32) (local $r i32)
    (if (i32.ge_u (local.get $slot) (i32.const {{CSPACE_SLOTS}})) (then (return (i32.const {{E_BADSLOT}}))))
    (local.set $g (i32.mul (i32.add (i32.mul (global.get $current) (i32.const {{CSPACE_SLOTS}})) (local.get $slot)) (i32.const 12)))
    (if (i32.eqz (i32.load (local.get $g))) (then (return (i32.const {{E_BADSLOT}}))))
    (if (i32.ne (i32.load (local.get $g)) (i32.const {{K_ENDPOINT}})) (then (return (i32.const {{E_KIND}}))))
    (if (i32.ne (i32.and (i32.load offset=4 (local.get $g)) (i32.const {{R_CALL}})) (i32.const {{R_CALL}}))
      (then (return (i32.const {{E_RIGHTS}}))))
    (local.set $r (call $invoke (i32.load offset=8 (local.get $g)) (i32.const {{ENTRY_HANDLE}}) (i32.const 0) (local.get $tag)))
    (if (i32.eq (local.get $r) (i32.const {{INVOKE_TRAPPED}})) (then (return (i32.const {{E_CRASHED}}))))
    (local.get $r))

  ;; sys.time() as kernel/misc.ts time: the host clock, in ns.
  (func (export "time") (result i64) (i64.trunc_sat_f64_s (call $now)))

  (func (export "record") (param $i i32) (param $ns i64)
    (if (i32.ge_u (local.get $i) (i32.const {{FLOOR_MAX_SAMPLES}})) (then (return)))
    (i64.store (i32.add (i32.const {{FLOOR_SAMPLES_AT}}) (i32.shl (local.get $i) (i32.const 3))) (local.get $ns)))

  ;; The bench's side: spawn the client (pid 1, module 1) and the server
  ;; (pid 2, module 2), and give the client slot 0: an endpoint to the server
  ;; with the right to call it.
  (func (export "setup") (result i32)
    (local $r i32) (local $g i32)
    (local.set $r (call $spawn (i32.const 1) (i32.const 1) (i32.const 0)))
    (if (i32.ne (local.get $r) (i32.const {{OK}})) (then (return (local.get $r))))
    (local.set $r (call $spawn (i32.const 2) (i32.const 2) (i32.const 0)))
    (if (i32.ne (local.get $r) (i32.const {{OK}})) (then (return (local.get $r))))
    (local.set $g (i32.mul (i32.const {{CSPACE_SLOTS}}) (i32.const 12)))
    (i32.store (local.get $g) (i32.const {{K_ENDPOINT}}))
    (i32.store offset=4 (local.get $g) (i32.const {{R_CALL}}))
    (i32.store offset=8 (local.get $g) (i32.const 2))
    (i32.const {{OK}}))

  ;; Runs the client's timed loop; its result is the client's (OK, or the first call's error).
  (func (export "run") (param $samples i32) (param $batch i32) (result i32)
    (global.set $current (i32.const 1))
    (call $invoke (i32.const 1) (i32.const {{ENTRY_START}}) (local.get $samples) (local.get $batch)))

  (func (export "samples_at") (result i32) (i32.const {{FLOOR_SAMPLES_AT}})))
