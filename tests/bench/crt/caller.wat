;; The benchmark caller: imports weld:bench/api's echo and exports
;;   run: func(n: u32) -> u32
;; which calls echo("hello, component world") n times (a component-to-component call each
;; time once composed with callee.wasm) and returns the sum of the returned lengths.
(component
  (import "weld:bench/api" (instance $api
    (export "echo" (func (param "s" string) (result string)))))
  (core module $libc
    (memory (export "memory") 1)
    (global $heap (mut i32) (i32.const 4096))
    (func (export "realloc") (param $old i32) (param $oldsz i32) (param $align i32) (param $new i32) (result i32)
      (local $p i32)
      global.get $heap local.get $align i32.add i32.const 1 i32.sub
      i32.const 0 local.get $align i32.sub i32.and
      local.set $p
      local.get $p local.get $new i32.add global.set $heap
      local.get $oldsz
      if local.get $p local.get $old local.get $oldsz memory.copy end
      local.get $p)
    (func (export "reset") i32.const 4096 global.set $heap)
    (data (i32.const 64) "hello, component world"))
  (core instance $libc (instantiate $libc))
  (alias core export $libc "memory" (core memory $mem))
  (alias core export $libc "realloc" (core func $realloc))
  (alias export $api "echo" (func $echo))
  (core func $echo-low (canon lower (func $echo) (memory $mem) (realloc $realloc)))
  (core module $main
    (import "libc" "memory" (memory 1))
    (import "libc" "reset" (func $reset))
    (import "api" "echo" (func $echo (param i32 i32 i32)))
    (func (export "run") (param $n i32) (result i32)
      (local $acc i32)
      (block $done
        (loop $next
          local.get $n i32.eqz br_if $done
          i32.const 64 i32.const 22 i32.const 16 call $echo
          local.get $acc i32.const 20 i32.load i32.add local.set $acc
          call $reset
          local.get $n i32.const 1 i32.sub local.set $n
          br $next))
      local.get $acc))
  (core instance $main (instantiate $main
    (with "libc" (instance $libc))
    (with "api" (instance (export "echo" (func $echo-low))))))
  (func $run (param "n" u32) (result u32) (canon lift (core func $main "run")))
  (export "run" (func $run)))
