;; imarray's 8-bit resampling passes in WebAssembly SIMD (Pillow's Resample.c, exact): used by
;; ./accelerated.ts, compiled into ./resample-wasm.ts by `npm run wasm` (scripts/build-wasm.mts).
;; Same integer arithmetic as the JavaScript passes in ./passes.ts: 22-bit weights, i32
;; accumulators starting at 2^21, `clip8(ss >> 22)` (saturating narrows clamp to 0..255).
;;
;; All pointers are byte addresses in this module's memory (the caller lays it out and grows it).
;; Weights are i32, `kstride` bytes per output index (a multiple of 16 for hrows1, which reads 4
;; taps at a time and relies on zero weights past each window; hrows2 packs them in pairs).
;; Bounds are i32 pairs (min, count).
;; Buffers are padded by the caller: reads may run 16 bytes past a row, writes 16 bytes past.
(module
  (memory (export "memory") 1)

  ;; vrows: vertical pass, output rows [y0, y1) of `len` bytes each, into dst (row-major).
  ;; Row yy sums rows bounds[yy].min .. +count of src (rows `len` bytes apart).
  (func (export "vrows") (param $src i32) (param $len i32) (param $dst i32) (param $bounds i32)
        (param $weights i32) (param $kstride i32) (param $y0 i32) (param $y1 i32)
    (local $yy i32) (local $i i32) (local $t i32) (local $n i32) (local $row i32) (local $k i32)
    (local $p i32) (local $out i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $v v128) (local $lo v128) (local $hi v128) (local $w v128)
    (local.set $out (local.get $dst))
    (local.set $yy (local.get $y0))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $yy) (local.get $y1)))
        (local.set $row (i32.add (local.get $src)
          (i32.mul (i32.load (i32.add (local.get $bounds) (i32.shl (local.get $yy) (i32.const 3)))) (local.get $len))))
        (local.set $n (i32.load offset=4 (i32.add (local.get $bounds) (i32.shl (local.get $yy) (i32.const 3)))))
        (local.set $k (i32.add (local.get $weights) (i32.mul (local.get $yy) (local.get $kstride))))
        (local.set $i (i32.const 0))
        (block $chunks_done
          (loop $chunks
            (br_if $chunks_done (i32.ge_u (local.get $i) (local.get $len)))
            (local.set $a0 (i32x4.splat (i32.const 2097152)))
            (local.set $a1 (local.get $a0))
            (local.set $a2 (local.get $a0))
            (local.set $a3 (local.get $a0))
            (local.set $p (i32.add (local.get $row) (local.get $i)))
            (local.set $t (i32.const 0))
            (block $taps_done
              (loop $taps
                (br_if $taps_done (i32.ge_u (local.get $t) (local.get $n)))
                (local.set $w (i32x4.splat (i32.load (i32.add (local.get $k) (i32.shl (local.get $t) (i32.const 2))))))
                (local.set $v (v128.load (local.get $p)))
                (local.set $lo (i16x8.extend_low_i8x16_u (local.get $v)))
                (local.set $hi (i16x8.extend_high_i8x16_u (local.get $v)))
                (local.set $a0 (i32x4.add (local.get $a0) (i32x4.mul (i32x4.extend_low_i16x8_u (local.get $lo)) (local.get $w))))
                (local.set $a1 (i32x4.add (local.get $a1) (i32x4.mul (i32x4.extend_high_i16x8_u (local.get $lo)) (local.get $w))))
                (local.set $a2 (i32x4.add (local.get $a2) (i32x4.mul (i32x4.extend_low_i16x8_u (local.get $hi)) (local.get $w))))
                (local.set $a3 (i32x4.add (local.get $a3) (i32x4.mul (i32x4.extend_high_i16x8_u (local.get $hi)) (local.get $w))))
                (local.set $p (i32.add (local.get $p) (local.get $len)))
                (local.set $t (i32.add (local.get $t) (i32.const 1)))
                (br $taps)))
            (v128.store (i32.add (local.get $out) (local.get $i))
              (i8x16.narrow_i16x8_u
                (i16x8.narrow_i32x4_s (i32x4.shr_s (local.get $a0) (i32.const 22)) (i32x4.shr_s (local.get $a1) (i32.const 22)))
                (i16x8.narrow_i32x4_s (i32x4.shr_s (local.get $a2) (i32.const 22)) (i32x4.shr_s (local.get $a3) (i32.const 22)))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $chunks)))
        (local.set $out (i32.add (local.get $out) (local.get $len)))
        (local.set $yy (i32.add (local.get $yy) (i32.const 1)))
        (br $rows))))

  ;; hrows2: horizontal pass of 2-, 3- or 4-byte pixels, two taps a step through i32x4.dot_i16x8_s:
  ;; a 22-bit weight w is split into hi = w >> 11 and lo = w & 0x7ff (both fit i16), and the sum is
  ;; (sum of p * hi) << 11 plus sum of p * lo, the same integer. Weights: per output index, per
  ;; tap pair, an i32 of two i16 hi weights then one of two lo weights (8 bytes a pair; pairs past
  ;; the window are zero). `mask` (16 bytes) swizzles two pixels into i16 lanes
  ;; [c0 of pixel 0, c0 of pixel 1, c1 of 0, c1 of 1, ...] (zero bytes elsewhere).
  (func (export "hrows2") (param $src i32) (param $srcRow i32) (param $rows i32) (param $dst i32) (param $outW i32)
        (param $bpp i32) (param $bounds i32) (param $weights i32) (param $kstride i32) (param $mask i32)
    (local $r i32) (local $xx i32) (local $t i32) (local $n i32) (local $p i32) (local $k i32) (local $b i32)
    (local $out i32) (local $rowIn i32) (local $hi v128) (local $lo v128) (local $v v128) (local $m v128)
    (local $step i32) (local $px i32)
    (local.set $m (v128.load (local.get $mask)))
    (local.set $step (i32.shl (local.get $bpp) (i32.const 1)))
    (local.set $out (local.get $dst))
    (local.set $r (i32.const 0))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $rowIn (i32.add (local.get $src) (i32.mul (local.get $r) (local.get $srcRow))))
        (local.set $xx (i32.const 0))
        (block $px_done
          (loop $pixels
            (br_if $px_done (i32.ge_u (local.get $xx) (local.get $outW)))
            (local.set $b (i32.add (local.get $bounds) (i32.shl (local.get $xx) (i32.const 3))))
            (local.set $p (i32.add (local.get $rowIn) (i32.mul (i32.load (local.get $b)) (local.get $bpp))))
            (local.set $n (i32.load offset=4 (local.get $b)))
            (local.set $k (i32.add (local.get $weights) (i32.mul (local.get $xx) (local.get $kstride))))
            (local.set $hi (v128.const i32x4 0 0 0 0))
            (local.set $lo (v128.const i32x4 0 0 0 0))
            (local.set $t (i32.const 0))
            (block $taps_done
              (loop $taps
                (br_if $taps_done (i32.ge_u (local.get $t) (local.get $n)))
                (local.set $v (i8x16.swizzle (v128.load64_zero (local.get $p)) (local.get $m)))
                (local.set $hi (i32x4.add (local.get $hi) (i32x4.dot_i16x8_s (local.get $v) (v128.load32_splat (local.get $k)))))
                (local.set $lo (i32x4.add (local.get $lo) (i32x4.dot_i16x8_s (local.get $v) (v128.load32_splat offset=4 (local.get $k)))))
                (local.set $p (i32.add (local.get $p) (local.get $step)))
                (local.set $k (i32.add (local.get $k) (i32.const 8)))
                (local.set $t (i32.add (local.get $t) (i32.const 2)))
                (br $taps)))
            (local.set $px (i32x4.extract_lane 0
              (i8x16.narrow_i16x8_u
                (i16x8.narrow_i32x4_s
                  (i32x4.shr_s
                    (i32x4.add (i32x4.add (i32x4.shl (local.get $hi) (i32.const 11)) (local.get $lo)) (i32x4.splat (i32.const 2097152)))
                    (i32.const 22))
                  (v128.const i32x4 0 0 0 0))
                (v128.const i32x4 0 0 0 0))))
            (if (i32.eq (local.get $bpp) (i32.const 2))
              (then (i32.store16 (local.get $out) (local.get $px)))
              (else (i32.store (local.get $out) (local.get $px))))
            (local.set $out (i32.add (local.get $out) (local.get $bpp)))
            (local.set $xx (i32.add (local.get $xx) (i32.const 1)))
            (br $pixels)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows))))

  ;; hrows1: horizontal pass of one-byte pixels, one lane per tap (4 taps a step; weights past
  ;; each window are zero, so the bytes read past it count for nothing).
  (func (export "hrows1") (param $src i32) (param $srcRow i32) (param $rows i32) (param $dst i32) (param $outW i32)
        (param $bounds i32) (param $weights i32) (param $kstride i32)
    (local $r i32) (local $xx i32) (local $t i32) (local $n i32) (local $p i32) (local $k i32) (local $b i32)
    (local $out i32) (local $rowIn i32) (local $acc v128) (local $ss i32)
    (local.set $out (local.get $dst))
    (local.set $r (i32.const 0))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $rowIn (i32.add (local.get $src) (i32.mul (local.get $r) (local.get $srcRow))))
        (local.set $xx (i32.const 0))
        (block $px_done
          (loop $pixels
            (br_if $px_done (i32.ge_u (local.get $xx) (local.get $outW)))
            (local.set $b (i32.add (local.get $bounds) (i32.shl (local.get $xx) (i32.const 3))))
            (local.set $p (i32.add (local.get $rowIn) (i32.load (local.get $b))))
            (local.set $n (i32.load offset=4 (local.get $b)))
            (local.set $k (i32.add (local.get $weights) (i32.mul (local.get $xx) (local.get $kstride))))
            (local.set $acc (v128.const i32x4 0 0 0 0))
            (local.set $t (i32.const 0))
            (block $taps_done
              (loop $taps
                (br_if $taps_done (i32.ge_u (local.get $t) (local.get $n)))
                (local.set $acc (i32x4.add (local.get $acc)
                  (i32x4.mul
                    (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $p))))
                    (v128.load (local.get $k)))))
                (local.set $p (i32.add (local.get $p) (i32.const 4)))
                (local.set $k (i32.add (local.get $k) (i32.const 16)))
                (local.set $t (i32.add (local.get $t) (i32.const 4)))
                (br $taps)))
            (local.set $ss (i32.shr_s
              (i32.add (i32.const 2097152)
                (i32.add
                  (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
                  (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))
              (i32.const 22)))
            (i32.store8 (local.get $out)
              (select (i32.const 0)
                (select (i32.const 255) (local.get $ss) (i32.gt_s (local.get $ss) (i32.const 255)))
                (i32.lt_s (local.get $ss) (i32.const 0))))
            (local.set $out (i32.add (local.get $out) (i32.const 1)))
            (local.set $xx (i32.add (local.get $xx) (i32.const 1)))
            (br $pixels)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows)))))
