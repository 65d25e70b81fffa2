;; imarray's byte-permutation kernel (WebAssembly SIMD), used by ./swizzle.ts.
;; Compiled into ./swizzle-wasm.ts by `npm run wasm` (scripts/build-wasm.mts).
;;
;; Memory (one 64 KiB page, owned by the module): the 16-lane permutation mask at 0, then the
;; caller's source block and the destination block (see swizzle.ts for the addresses).
;;
;; permute(src, dst, len, step): for every `step`-byte group of `len` bytes at `src`, write
;; the 16 bytes `v128.load(src + i)` permuted by the mask to `dst + i`. With `step` 12 (four
;; 3-byte pixels) the last 4 lanes of each store are overwritten by the next store; with 16
;; (four 4-byte pixels) stores do not overlap. Reads and writes run up to 15 bytes past `len`:
;; the caller leaves that slack after both blocks.
(module
  (memory (export "memory") 1 1)
  (func (export "permute") (param $src i32) (param $dst i32) (param $len i32) (param $step i32)
    (local $mask v128)
    (local $i i32)
    (local.set $mask (v128.load (i32.const 0)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (v128.store (i32.add (local.get $dst) (local.get $i))
          (i8x16.swizzle (v128.load (i32.add (local.get $src) (local.get $i))) (local.get $mask)))
        (local.set $i (i32.add (local.get $i) (local.get $step)))
        (br $next)))))
