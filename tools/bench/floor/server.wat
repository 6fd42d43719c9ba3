;; ipc.floor's server: a handler that answers with a word.
(module
  (memory (export "memory") 1)
  (func (export "quark_handle") (param $badge i32) (param $tag i32) (result i32)
    (i32.add (local.get $tag) (i32.const 1))))
