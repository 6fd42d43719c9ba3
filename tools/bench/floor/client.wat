;; ipc.floor's client: userland/bench/index.ts roundTrip() in plain Wasm. A
;; warm-up batch, then `samples` batches of `batch` calls of one word each,
;; each batch timed with the kernel's clock and recorded.
(module
  (import "quark" "call" (func $call (param i32 i32 i64 i64 i64 i64 i64 i64) (result i32)))
  (import "quark" "time" (func $time (result i64)))
  (import "quark" "record" (func $record (param i32 i64)))
  (memory (export "memory") 1)

  (func $batch (param $n i32) (result i32)
    (local $i i32) (local $r i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $r (call $call (i32.const 0) (i32.const {{TAG_ECHO}})
          (i64.extend_i32_u (local.get $i)) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0)))
        (if (i32.lt_s (local.get $r) (i32.const 0)) (then (return (local.get $r))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.const {{OK}}))

  (func (export "quark_start") (param $samples i32) (param $n i32) (result i32)
    (local $s i32) (local $t0 i64) (local $r i32)
    (local.set $r (call $batch (local.get $n)))
    (if (i32.ne (local.get $r) (i32.const {{OK}})) (then (return (local.get $r))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $s) (local.get $samples)))
        (local.set $t0 (call $time))
        (drop (call $batch (local.get $n)))
        (call $record (local.get $s) (i64.sub (call $time) (local.get $t0)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $next)))
    (i32.const {{OK}})))
