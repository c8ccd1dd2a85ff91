;; The two passes over the rows of a diagonal Gaussian mixture's EM step (gmm.ts), two segments
;; per instruction (f64x2). Per-segment arrays are feature-major with kp = k rounded up to even
;; (value j of segment c at base + 8 * (j * kp + c)), so the lanes of one load are two
;; segments' values of one feature; per-row arrays (log densities, then responsibilities in
;; their place) hold kp values a row, the padding lane's responsibility 0. Each lane adds its
;; rows and features in the order the scalar loops did, with the same products: the same
;; figures to the bit.
;;
;; Layout, given by the caller (mixture.ts): per-segment arrays, then rows * kp responsibilities,
;; then the data, rows * d f64 (row-major).
(module
  (memory (export "memory") 1)

  ;; out[i * kp + c] = logNorm[c] - 0.5 * sum over j of (x_ij - mean_jc)^2 * inverse_jc
  (func (export "logDensities")
    (param $rows i32) (param $d i32) (param $kp i32) (param $data i32)
    (param $means i32) (param $inverse i32) (param $logNorm i32) (param $out i32)
    (local $stride i32) (local $i i32) (local $c i32) (local $j i32) (local $p i32) (local $q i32)
    (local $acc v128) (local $diff v128)
    (local.set $stride (i32.shl (local.get $kp) (i32.const 3)))
    (local.set $i (i32.const 0))
    (block $rows_done (loop $each_row
      (br_if $rows_done (i32.ge_s (local.get $i) (local.get $rows)))
      (local.set $c (i32.const 0))
      (block $segments_done (loop $each_pair
        (br_if $segments_done (i32.ge_s (local.get $c) (local.get $kp)))
        (local.set $acc (v128.const f64x2 0 0))
        (local.set $p (local.get $data))
        (local.set $q (i32.shl (local.get $c) (i32.const 3)))
        (local.set $j (i32.const 0))
        (block $features_done (loop $each_feature
          (br_if $features_done (i32.ge_s (local.get $j) (local.get $d)))
          (local.set $diff (f64x2.sub (v128.load64_splat (local.get $p)) (v128.load (i32.add (local.get $means) (local.get $q)))))
          (local.set $acc (f64x2.add (local.get $acc)
            (f64x2.mul (f64x2.mul (local.get $diff) (local.get $diff)) (v128.load (i32.add (local.get $inverse) (local.get $q))))))
          (local.set $p (i32.add (local.get $p) (i32.const 8)))
          (local.set $q (i32.add (local.get $q) (local.get $stride)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $each_feature)))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 3)))
          (f64x2.sub (v128.load (i32.add (local.get $logNorm) (i32.shl (local.get $c) (i32.const 3))))
            (f64x2.mul (v128.const f64x2 0.5 0.5) (local.get $acc))))
        (local.set $c (i32.add (local.get $c) (i32.const 2)))
        (br $each_pair)))
      (local.set $data (i32.add (local.get $data) (i32.shl (local.get $d) (i32.const 3))))
      (local.set $out (i32.add (local.get $out) (local.get $stride)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $each_row))))

  ;; weights[c] += r, sums[j * kp + c] += r * x_j, squares[j * kp + c] += (r * x_j) * x_j,
  ;; where r = resp[i * kp + c], for every row i in order.
  (func (export "moments")
    (param $rows i32) (param $d i32) (param $kp i32) (param $data i32)
    (param $resp i32) (param $weights i32) (param $sums i32) (param $squares i32)
    (local $stride i32) (local $i i32) (local $c i32) (local $j i32) (local $p i32) (local $q i32) (local $at i32)
    (local $r v128) (local $x v128) (local $rx v128)
    (local.set $stride (i32.shl (local.get $kp) (i32.const 3)))
    (local.set $i (i32.const 0))
    (block $rows_done (loop $each_row
      (br_if $rows_done (i32.ge_s (local.get $i) (local.get $rows)))
      (local.set $c (i32.const 0))
      (block $segments_done (loop $each_pair
        (br_if $segments_done (i32.ge_s (local.get $c) (local.get $kp)))
        (local.set $r (v128.load (i32.add (local.get $resp) (i32.shl (local.get $c) (i32.const 3)))))
        (local.set $at (i32.add (local.get $weights) (i32.shl (local.get $c) (i32.const 3))))
        (v128.store (local.get $at) (f64x2.add (v128.load (local.get $at)) (local.get $r)))
        (local.set $p (local.get $data))
        (local.set $q (i32.shl (local.get $c) (i32.const 3)))
        (local.set $j (i32.const 0))
        (block $features_done (loop $each_feature
          (br_if $features_done (i32.ge_s (local.get $j) (local.get $d)))
          (local.set $x (v128.load64_splat (local.get $p)))
          (local.set $rx (f64x2.mul (local.get $r) (local.get $x)))
          (local.set $at (i32.add (local.get $sums) (local.get $q)))
          (v128.store (local.get $at) (f64x2.add (v128.load (local.get $at)) (local.get $rx)))
          (local.set $at (i32.add (local.get $squares) (local.get $q)))
          (v128.store (local.get $at) (f64x2.add (v128.load (local.get $at)) (f64x2.mul (local.get $rx) (local.get $x))))
          (local.set $p (i32.add (local.get $p) (i32.const 8)))
          (local.set $q (i32.add (local.get $q) (local.get $stride)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $each_feature)))
        (local.set $c (i32.add (local.get $c) (i32.const 2)))
        (br $each_pair)))
      (local.set $data (i32.add (local.get $data) (i32.shl (local.get $d) (i32.const 3))))
      (local.set $resp (i32.add (local.get $resp) (local.get $stride)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $each_row)))))
