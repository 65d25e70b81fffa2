;; imarray's PNG unfilter kernels (WebAssembly SIMD), used by ./unfilter-simd.ts.
;; Compiled into ./unfilter-wasm.ts by `npm run wasm` (scripts/build-wasm.mts).
;;
;; Each kernel reads one filtered row at `src` and the previous unfiltered row at `prev`
;; (all zeros for a pass's first row), and writes the unfiltered row to `dst` (PNG spec 9.2).
;; The three regions are distinct, so stores never feed the next loads.
;;
;; sub / avg / paeth walk the row one pixel (`bpp` = 1..8 bytes) at a time, holding a pixel in
;; the low 8 lanes of a vector: `a` (left) and `c` (upper left) are carried in registers, each
;; step loads 8 bytes of `src` and `prev` and stores 8 bytes to `dst`. Lanes past `bpp` hold
;; bytes of the following pixel(s): every lane is computed independently, so they only carry
;; garbage that the next step's store overwrites. Reads and writes run up to 16 bytes past `n`:
;; the caller leaves that slack after every region.
;; The memory declares a maximum (MAX_ROW in unfilter-simd.ts follows from it): without one, engines
;; that cannot use guard pages (V8 under qemu) reserve the whole 4 GiB range per instance.
(module
  (memory (export "memory") 1 256)

  ;; dst[i] = src[i] + prev[i], 16 bytes at a time.
  (func (export "up") (param $src i32) (param $prev i32) (param $dst i32) (param $n i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (v128.store (i32.add (local.get $dst) (local.get $i))
          (i8x16.add (v128.load (i32.add (local.get $src) (local.get $i)))
                     (v128.load (i32.add (local.get $prev) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next))))

  ;; a = src + a, one pixel per step.
  (func (export "sub") (param $src i32) (param $dst i32) (param $n i32) (param $bpp i32)
    (local $i i32)
    (local $a v128)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $a (i8x16.add (local.get $a) (v128.load64_zero (i32.add (local.get $src) (local.get $i)))))
        (v128.store64_lane 0 (i32.add (local.get $dst) (local.get $i)) (local.get $a))
        (local.set $i (i32.add (local.get $i) (local.get $bpp)))
        (br $next))))

  ;; a = src + floor((a + b) / 2): avgr_u rounds up, so subtract the low bit of a ^ b.
  (func (export "avg") (param $src i32) (param $prev i32) (param $dst i32) (param $n i32) (param $bpp i32)
    (local $i i32)
    (local $a v128)
    (local $b v128)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $b (v128.load64_zero (i32.add (local.get $prev) (local.get $i))))
        (local.set $a
          (i8x16.add (v128.load64_zero (i32.add (local.get $src) (local.get $i)))
            (i8x16.sub (i8x16.avgr_u (local.get $a) (local.get $b))
                       (v128.and (v128.xor (local.get $a) (local.get $b)) (v128.const i8x16 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1)))))
        (v128.store64_lane 0 (i32.add (local.get $dst) (local.get $i)) (local.get $a))
        (local.set $i (i32.add (local.get $i) (local.get $bpp)))
        (br $next))))

  ;; Paeth in 16-bit lanes (8 bytes widened): with p = a + b - c,
  ;; pa = |p - a| = |b - c|, pb = |p - b| = |a - c|, pc = |p - c| = |(b - c) + (a - c)|;
  ;; the predictor is a if pa <= pb and pa <= pc, else b if pb <= pc, else c (PNG spec 9.4).
  (func (export "paeth") (param $src i32) (param $prev i32) (param $dst i32) (param $n i32) (param $bpp i32)
    (local $i i32)
    (local $a v128)
    (local $b v128)
    (local $c v128)
    (local $bc v128)
    (local $ac v128)
    (local $pa v128)
    (local $pb v128)
    (local $pc v128)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $b (v128.load8x8_u (i32.add (local.get $prev) (local.get $i))))
        (local.set $bc (i16x8.sub (local.get $b) (local.get $c)))
        (local.set $ac (i16x8.sub (local.get $a) (local.get $c)))
        (local.set $pa (i16x8.abs (local.get $bc)))
        (local.set $pb (i16x8.abs (local.get $ac)))
        (local.set $pc (i16x8.abs (i16x8.add (local.get $bc) (local.get $ac))))
        (local.set $a
          (v128.and
            (i16x8.add (v128.load8x8_u (i32.add (local.get $src) (local.get $i)))
              (v128.bitselect
                (v128.bitselect (local.get $c) (local.get $b) (i16x8.lt_s (local.get $pc) (local.get $pb)))
                (local.get $a)
                (v128.or (i16x8.lt_s (local.get $pb) (local.get $pa)) (i16x8.lt_s (local.get $pc) (local.get $pa)))))
            (v128.const i16x8 255 255 255 255 255 255 255 255)))
        (v128.store64_lane 0 (i32.add (local.get $dst) (local.get $i))
          (i8x16.narrow_i16x8_u (local.get $a) (local.get $a)))
        (local.set $c (local.get $b))
        (local.set $i (i32.add (local.get $i) (local.get $bpp)))
        (br $next))))

  ;; imread's `order` (RGB -> BGR...): dst = src with each `step`-byte group (four 3- or 4-byte
  ;; pixels) permuted by the 16-lane mask at `mask` (swizzle.wat's loop, on this module's rows).
  ;; With `step` 12 the last 4 lanes of each store are overwritten by the next one.
  (func (export "permute") (param $src i32) (param $dst i32) (param $n i32) (param $step i32) (param $mask i32)
    (local $i i32)
    (local $m v128)
    (local.set $m (v128.load (local.get $mask)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (v128.store (i32.add (local.get $dst) (local.get $i))
          (i8x16.swizzle (v128.load (i32.add (local.get $src) (local.get $i))) (local.get $m)))
        (local.set $i (i32.add (local.get $i) (local.get $step)))
        (br $next)))))
