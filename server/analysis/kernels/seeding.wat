;; One candidate centre of greedy k-means++ against every row, two rows per instruction
;; (f64x2): out[i] = min(closest[i], squared distance from row i to the candidate), and the
;; sum of out, the candidate's potential. The rows are stored column-major (value c of row i
;; at data + 8 * (c * n + i)), so the lanes of one load are the same column of rows i and
;; i + 1; each lane adds its columns in order, and the potential adds the rows in order, as
;; init.ts's scalar loop did: the seeding is the same to the bit.
;;
;; Layout, given by the caller (init.ts): data n * cols f64 (column-major) and 8 bytes of
;; padding; the candidate's values, cols f64; closest and out, n f64 each, 16-byte aligned.
(module
  (memory (export "memory") 1)

  (func (export "candidatePotential")
    (param $n i32) (param $cols i32) (param $data i32) (param $candidate i32) (param $closest i32) (param $out i32)
    (result f64)
    (local $n8 i32) (local $i i32) (local $c i32) (local $p i32) (local $q i32)
    (local $sum v128) (local $diff v128) (local $potential f64)
    (local.set $n8 (i32.shl (local.get $n) (i32.const 3)))
    (local.set $i (i32.const 0))
    (block $done (loop $rows
      (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
      (local.set $sum (v128.const f64x2 0 0))
      (local.set $p (i32.add (local.get $data) (i32.shl (local.get $i) (i32.const 3))))
      (local.set $q (local.get $candidate))
      (local.set $c (i32.const 0))
      (block $cols_done (loop $columns
        (br_if $cols_done (i32.ge_s (local.get $c) (local.get $cols)))
        (local.set $diff (f64x2.sub (v128.load (local.get $p)) (v128.load64_splat (local.get $q))))
        (local.set $sum (f64x2.add (local.get $sum) (f64x2.mul (local.get $diff) (local.get $diff))))
        (local.set $p (i32.add (local.get $p) (local.get $n8)))
        (local.set $q (i32.add (local.get $q) (i32.const 8)))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $columns)))
      (local.set $p (i32.shl (local.get $i) (i32.const 3)))
      (local.set $sum (f64x2.min (v128.load (i32.add (local.get $closest) (local.get $p))) (local.get $sum)))
      (if (i32.lt_s (i32.add (local.get $i) (i32.const 1)) (local.get $n))
        (then
          (v128.store (i32.add (local.get $out) (local.get $p)) (local.get $sum))
          (local.set $potential (f64.add (f64.add (local.get $potential) (f64x2.extract_lane 0 (local.get $sum))) (f64x2.extract_lane 1 (local.get $sum)))))
        (else
          (f64.store (i32.add (local.get $out) (local.get $p)) (f64x2.extract_lane 0 (local.get $sum)))
          (local.set $potential (f64.add (local.get $potential) (f64x2.extract_lane 0 (local.get $sum))))))
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (br $rows)))
    (local.get $potential)))
