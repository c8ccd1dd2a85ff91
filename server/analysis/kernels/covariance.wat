;; The passes of a PCA over a chunk of rows at a time: column means, then the upper triangle
;; of the centred cross-products, two columns per instruction (f64x2). Every sum adds the rows
;; in order, as pca.ts's scalar loops did: the same figures to the bit.
;;
;; Layout, given by the caller (covariance.ts): data rows * d f64 (row-major); mean d f64;
;; centred and each row of cov `stride` f64 (d + 1 rounded up to even: a pair that starts at
;; the last column writes its second lane into padding).
(module
  (memory (export "memory") 1)

  ;; mean[c] += x[i][c] / total for every row i of the chunk.
  (func (export "addMeans") (param $rows i32) (param $d i32) (param $data i32) (param $mean i32) (param $total f64)
    (local $i i32) (local $c i32) (local $p i32) (local $m i32)
    (local.set $p (local.get $data))
    (local.set $i (i32.const 0))
    (block $rows_done (loop $each_row
      (br_if $rows_done (i32.ge_s (local.get $i) (local.get $rows)))
      (local.set $m (local.get $mean))
      (local.set $c (i32.const 0))
      (block $cols_done (loop $each_col
        (br_if $cols_done (i32.ge_s (local.get $c) (local.get $d)))
        (f64.store (local.get $m) (f64.add (f64.load (local.get $m)) (f64.div (f64.load (local.get $p)) (local.get $total))))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (local.set $m (i32.add (local.get $m) (i32.const 8)))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $each_col)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $each_row))))

  ;; cov[a][b] += (x[i][a] - mean[a]) * (x[i][b] - mean[b]) for b >= a, every row i of the chunk.
  (func (export "addCrossProducts") (param $rows i32) (param $d i32) (param $stride i32) (param $data i32) (param $mean i32) (param $centred i32) (param $cov i32)
    (local $i i32) (local $a i32) (local $b i32) (local $p i32) (local $row i32) (local $va v128) (local $q i32)
    (local.set $row (local.get $data))
    (local.set $i (i32.const 0))
    (block $rows_done (loop $each_row
      (br_if $rows_done (i32.ge_s (local.get $i) (local.get $rows)))
      (local.set $a (i32.const 0))
      (block $centre_done (loop $centre
        (br_if $centre_done (i32.ge_s (local.get $a) (local.get $d)))
        (f64.store (i32.add (local.get $centred) (i32.shl (local.get $a) (i32.const 3)))
          (f64.sub (f64.load (i32.add (local.get $row) (i32.shl (local.get $a) (i32.const 3))))
                   (f64.load (i32.add (local.get $mean) (i32.shl (local.get $a) (i32.const 3))))))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (br $centre)))
      (local.set $a (i32.const 0))
      (block $a_done (loop $each_a
        (br_if $a_done (i32.ge_s (local.get $a) (local.get $d)))
        (local.set $va (v128.load64_splat (i32.add (local.get $centred) (i32.shl (local.get $a) (i32.const 3)))))
        (local.set $b (local.get $a))
        (local.set $q (i32.add (local.get $cov) (i32.shl (i32.add (i32.mul (local.get $a) (local.get $stride)) (local.get $a)) (i32.const 3))))
        (local.set $p (i32.add (local.get $centred) (i32.shl (local.get $a) (i32.const 3))))
        (block $b_done (loop $each_b
          (br_if $b_done (i32.ge_s (local.get $b) (local.get $d)))
          (v128.store (local.get $q) (f64x2.add (v128.load (local.get $q)) (f64x2.mul (local.get $va) (v128.load (local.get $p)))))
          (local.set $q (i32.add (local.get $q) (i32.const 16)))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (local.set $b (i32.add (local.get $b) (i32.const 2)))
          (br $each_b)))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (br $each_a)))
      (local.set $row (i32.add (local.get $row) (i32.shl (local.get $d) (i32.const 3))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $each_row)))))
