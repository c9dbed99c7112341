;; The benchmark callee: weld:bench/api with
;;   echo: func(s: string) -> string                      (returns its argument)
;;   sum: func(items: list<item>) -> u64                   (sums id + byte length of tag)
;; where record item { id: u32, weight: f64, tag: string }. A bump allocator whose heap is
;; reset by post-return, so any number of calls runs in constant memory.
(component
  (core module $m
    (memory (export "memory") 1)
    (global $heap (mut i32) (i32.const 1024))
    (func $realloc (export "realloc") (param $old i32) (param $oldsz i32) (param $align i32) (param $new i32) (result i32)
      (local $p i32)
      global.get $heap local.get $align i32.add i32.const 1 i32.sub
      i32.const 0 local.get $align i32.sub i32.and
      local.set $p
      local.get $p local.get $new i32.add global.set $heap
      (block $ok
        (loop $grow
          global.get $heap memory.size i32.const 16 i32.shl i32.le_u br_if $ok
          i32.const 1 memory.grow i32.const -1 i32.eq
          if unreachable end
          br $grow))
      local.get $oldsz
      if local.get $p local.get $old local.get $oldsz memory.copy end
      local.get $p)
    (func (export "reset") (param i32) i32.const 1024 global.set $heap)
    (func (export "reset64") (param i64) i32.const 1024 global.set $heap)
    (func (export "echo") (param $p i32) (param $n i32) (result i32)
      i32.const 16 local.get $p i32.store
      i32.const 20 local.get $n i32.store
      i32.const 16)
    (func (export "sum") (param $p i32) (param $n i32) (result i64)
      (local $acc i64) (local $end i32)
      local.get $p local.get $n i32.const 24 i32.mul i32.add local.set $end
      (block $done
        (loop $next
          local.get $p local.get $end i32.ge_u br_if $done
          local.get $acc
          local.get $p i64.load32_u i64.add
          local.get $p i64.load32_u offset=20 i64.add
          local.set $acc
          local.get $p i32.const 24 i32.add local.set $p
          br $next))
      local.get $acc))
  (core instance $i (instantiate $m))
  (alias core export $i "memory" (core memory $mem))
  (alias core export $i "realloc" (core func $realloc))
  (type $item (record (field "id" u32) (field "weight" f64) (field "tag" string)))
  (func $echo (param "s" string) (result string)
    (canon lift (core func $i "echo") (memory $mem) (realloc $realloc) (post-return (core func $i "reset"))))
  (func $sum (param "items" (list $item)) (result u64)
    (canon lift (core func $i "sum") (memory $mem) (realloc $realloc) (post-return (core func $i "reset64"))))
  (instance $api
    (export "item" (type $item))
    (export "echo" (func $echo))
    (export "sum" (func $sum)))
  (export "weld:bench/api" (instance $api)))
