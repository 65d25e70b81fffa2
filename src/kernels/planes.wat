;; imarray's table lookup into three planes (WebAssembly), used by ./planes.ts for the fused
;; `toArray(img, { layout: 'CHW', dtype: 'float32', ... })` of 8-bit, 3-channel images.
;; Compiled into ./planes-wasm.ts by `npm run wasm` (scripts/build-wasm.mts).
;;
;; Memory (owned by the module): three 256-entry tables of 32-bit values at 0, 1024 and 2048
;; (float32 bit patterns: moved, never computed), then the caller's source block and the three
;; destination blocks (see planes.ts for the addresses).
;;
;; planes(src, n, step, dst0, dst1, dst2): for pixel i (bytes src + i*step, the three channel
;; bytes at offsets 0, 1, 2 after the caller's reordering), dst_c[i] = table_c[byte c].
(module
  (memory (export "memory") 2 2)
  (func (export "planes") (param $src i32) (param $n i32) (param $step i32) (param $d0 i32) (param $d1 i32) (param $d2 i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $d0) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $d0) (local.get $end)))
        (i32.store (local.get $d0) (i32.load (i32.shl (i32.load8_u (local.get $src)) (i32.const 2))))
        (i32.store (local.get $d1) (i32.load offset=1024 (i32.shl (i32.load8_u offset=1 (local.get $src)) (i32.const 2))))
        (i32.store (local.get $d2) (i32.load offset=2048 (i32.shl (i32.load8_u offset=2 (local.get $src)) (i32.const 2))))
        (local.set $src (i32.add (local.get $src) (local.get $step)))
        (local.set $d0 (i32.add (local.get $d0) (i32.const 4)))
        (local.set $d1 (i32.add (local.get $d1) (i32.const 4)))
        (local.set $d2 (i32.add (local.get $d2) (i32.const 4)))
        (br $next)))))
