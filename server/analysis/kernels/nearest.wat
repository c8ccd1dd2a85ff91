;; Each row's nearest and second-nearest centre, two centres per instruction (f64x2), for a
;; chunk of rows at a time. The centres are stored feature-major (value j of centre c at
;; centres + 8 * (j * kp + c), kp = k rounded up to even, the padding lane ignored), so the
;; lanes of one load are two centres' values of one feature. Each lane adds its features in
;; order and the centres are compared in order, as assign.ts's nearestTwo: the same labels
;; and distances to the bit.
;;
;; Two rows go together (the second's values d further on), so each centre load serves both.
;;
;; Layout, given by the caller (nearest.ts): data rows * d f64 (row-major), centres d * kp
;; f64, then per row: labels i32, best f64, second f64 (squared distances), then when Lloyd
;; asks for them each centre's row sums (k * d f64) and row count (k f64).
(module
  (memory (export "memory") 1)

  (func (export "nearestTwo")
    (param $rows i32) (param $d i32) (param $k i32) (param $data i32) (param $centres i32)
    (param $labels i32) (param $bests i32) (param $seconds i32)
    (local $kp i32) (local $stride i32) (local $i i32) (local $row i32) (local $c i32) (local $j i32)
    (local $p i32) (local $q i32) (local $acc v128) (local $diff v128)
    (local $s f64) (local $best f64) (local $second f64) (local $index i32)
    (local $best2 f64) (local $second2 f64) (local $index2 i32) (local $acc2 v128) (local $centre v128)
    (local.set $kp (i32.and (i32.add (local.get $k) (i32.const 1)) (i32.const -2)))
    (local.set $stride (i32.shl (local.get $kp) (i32.const 3)))
    (local.set $i (i32.const 0))
    ;; Two rows at a time while two are left: each centre load serves both.
    (block $pairs_done (loop $each_row_pair
      (br_if $pairs_done (i32.ge_s (i32.add (local.get $i) (i32.const 1)) (local.get $rows)))
      (local.set $row (i32.add (local.get $data) (i32.shl (i32.mul (local.get $i) (local.get $d)) (i32.const 3))))
      (local.set $best (f64.const inf))
      (local.set $second (f64.const inf))
      (local.set $index (i32.const 0))
      (local.set $best2 (f64.const inf))
      (local.set $second2 (f64.const inf))
      (local.set $index2 (i32.const 0))
      (local.set $c (i32.const 0))
      (block $centres2_done (loop $each_pair2
        (br_if $centres2_done (i32.ge_s (local.get $c) (local.get $k)))
        (local.set $acc (v128.const f64x2 0 0))
        (local.set $acc2 (v128.const f64x2 0 0))
        (local.set $p (local.get $row))
        (local.set $q (i32.add (local.get $centres) (i32.shl (local.get $c) (i32.const 3))))
        (local.set $j (i32.const 0))
        (block $features2_done (loop $each_feature2
          (br_if $features2_done (i32.ge_s (local.get $j) (local.get $d)))
          (local.set $centre (v128.load (local.get $q)))
          (local.set $diff (f64x2.sub (v128.load64_splat (local.get $p)) (local.get $centre)))
          (local.set $acc (f64x2.add (local.get $acc) (f64x2.mul (local.get $diff) (local.get $diff))))
          (local.set $diff (f64x2.sub (v128.load64_splat (i32.add (local.get $p) (i32.shl (local.get $d) (i32.const 3)))) (local.get $centre)))
          (local.set $acc2 (f64x2.add (local.get $acc2) (f64x2.mul (local.get $diff) (local.get $diff))))
          (local.set $p (i32.add (local.get $p) (i32.const 8)))
          (local.set $q (i32.add (local.get $q) (local.get $stride)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $each_feature2)))
        (local.set $s (f64x2.extract_lane 0 (local.get $acc)))
        (if (f64.lt (local.get $s) (local.get $best))
          (then (local.set $second (local.get $best)) (local.set $best (local.get $s)) (local.set $index (local.get $c)))
          (else (if (f64.lt (local.get $s) (local.get $second)) (then (local.set $second (local.get $s))))))
        (local.set $s (f64x2.extract_lane 0 (local.get $acc2)))
        (if (f64.lt (local.get $s) (local.get $best2))
          (then (local.set $second2 (local.get $best2)) (local.set $best2 (local.get $s)) (local.set $index2 (local.get $c)))
          (else (if (f64.lt (local.get $s) (local.get $second2)) (then (local.set $second2 (local.get $s))))))
        (if (i32.lt_s (i32.add (local.get $c) (i32.const 1)) (local.get $k))
          (then
            (local.set $s (f64x2.extract_lane 1 (local.get $acc)))
            (if (f64.lt (local.get $s) (local.get $best))
              (then (local.set $second (local.get $best)) (local.set $best (local.get $s)) (local.set $index (i32.add (local.get $c) (i32.const 1))))
              (else (if (f64.lt (local.get $s) (local.get $second)) (then (local.set $second (local.get $s))))))
            (local.set $s (f64x2.extract_lane 1 (local.get $acc2)))
            (if (f64.lt (local.get $s) (local.get $best2))
              (then (local.set $second2 (local.get $best2)) (local.set $best2 (local.get $s)) (local.set $index2 (i32.add (local.get $c) (i32.const 1))))
              (else (if (f64.lt (local.get $s) (local.get $second2)) (then (local.set $second2 (local.get $s))))))))
        (local.set $c (i32.add (local.get $c) (i32.const 2)))
        (br $each_pair2)))
      (i32.store (i32.add (local.get $labels) (i32.shl (local.get $i) (i32.const 2))) (local.get $index))
      (f64.store (i32.add (local.get $bests) (i32.shl (local.get $i) (i32.const 3))) (local.get $best))
      (f64.store (i32.add (local.get $seconds) (i32.shl (local.get $i) (i32.const 3))) (local.get $second))
      (i32.store offset=4 (i32.add (local.get $labels) (i32.shl (local.get $i) (i32.const 2))) (local.get $index2))
      (f64.store offset=8 (i32.add (local.get $bests) (i32.shl (local.get $i) (i32.const 3))) (local.get $best2))
      (f64.store offset=8 (i32.add (local.get $seconds) (i32.shl (local.get $i) (i32.const 3))) (local.get $second2))
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (br $each_row_pair)))
    ;; The last row alone.
    (block $rows_done (loop $each_row
      (br_if $rows_done (i32.ge_s (local.get $i) (local.get $rows)))
      (local.set $row (i32.add (local.get $data) (i32.shl (i32.mul (local.get $i) (local.get $d)) (i32.const 3))))
      (local.set $best (f64.const inf))
      (local.set $second (f64.const inf))
      (local.set $index (i32.const 0))
      (local.set $c (i32.const 0))
      (block $centres_done (loop $each_pair
        (br_if $centres_done (i32.ge_s (local.get $c) (local.get $k)))
        (local.set $acc (v128.const f64x2 0 0))
        (local.set $p (local.get $row))
        (local.set $q (i32.add (local.get $centres) (i32.shl (local.get $c) (i32.const 3))))
        (local.set $j (i32.const 0))
        (block $features_done (loop $each_feature
          (br_if $features_done (i32.ge_s (local.get $j) (local.get $d)))
          (local.set $diff (f64x2.sub (v128.load64_splat (local.get $p)) (v128.load (local.get $q))))
          (local.set $acc (f64x2.add (local.get $acc) (f64x2.mul (local.get $diff) (local.get $diff))))
          (local.set $p (i32.add (local.get $p) (i32.const 8)))
          (local.set $q (i32.add (local.get $q) (local.get $stride)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $each_feature)))
        ;; Centre c, then c + 1 when there is one: the comparisons nearestTwo makes, in its order.
        (local.set $s (f64x2.extract_lane 0 (local.get $acc)))
        (if (f64.lt (local.get $s) (local.get $best))
          (then (local.set $second (local.get $best)) (local.set $best (local.get $s)) (local.set $index (local.get $c)))
          (else (if (f64.lt (local.get $s) (local.get $second)) (then (local.set $second (local.get $s))))))
        (if (i32.lt_s (i32.add (local.get $c) (i32.const 1)) (local.get $k))
          (then
            (local.set $s (f64x2.extract_lane 1 (local.get $acc)))
            (if (f64.lt (local.get $s) (local.get $best))
              (then (local.set $second (local.get $best)) (local.set $best (local.get $s)) (local.set $index (i32.add (local.get $c) (i32.const 1))))
              (else (if (f64.lt (local.get $s) (local.get $second)) (then (local.set $second (local.get $s))))))))
        (local.set $c (i32.add (local.get $c) (i32.const 2)))
        (br $each_pair)))
      (i32.store (i32.add (local.get $labels) (i32.shl (local.get $i) (i32.const 2))) (local.get $index))
      (f64.store (i32.add (local.get $bests) (i32.shl (local.get $i) (i32.const 3))) (local.get $best))
      (f64.store (i32.add (local.get $seconds) (i32.shl (local.get $i) (i32.const 3))) (local.get $second))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $each_row))))

  ;; Each row added to the sums of its label and counted, rows in order (as Lloyd's centre
  ;; update and clusterMeans did it in JavaScript: the same sums to the bit).
  (func (export "addByLabel")
    (param $rows i32) (param $d i32) (param $data i32) (param $labels i32) (param $sums i32) (param $counts i32)
    (local $i i32) (local $j i32) (local $p i32) (local $q i32) (local $at i32)
    (local.set $p (local.get $data))
    (local.set $i (i32.const 0))
    (block $rows_done (loop $each_row
      (br_if $rows_done (i32.ge_s (local.get $i) (local.get $rows)))
      (local.set $q (i32.load (i32.add (local.get $labels) (i32.shl (local.get $i) (i32.const 2)))))
      ;; A negative label (noise) belongs to no centre: its row is skipped.
      (if (i32.lt_s (local.get $q) (i32.const 0))
        (then
          (local.set $p (i32.add (local.get $p) (i32.shl (local.get $d) (i32.const 3))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $each_row)))
      (local.set $at (i32.add (local.get $counts) (i32.shl (local.get $q) (i32.const 3))))
      (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (f64.const 1)))
      (local.set $q (i32.add (local.get $sums) (i32.shl (i32.mul (local.get $q) (local.get $d)) (i32.const 3))))
      (local.set $j (i32.const 0))
      (block $features_done (loop $each_feature
        (br_if $features_done (i32.ge_s (local.get $j) (local.get $d)))
        (f64.store (local.get $q) (f64.add (f64.load (local.get $q)) (f64.load (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (local.set $q (i32.add (local.get $q) (i32.const 8)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $each_feature)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $each_row))))

  ;; Each row's squared distance to its label's centre (centres row-major, k * d f64) added to
  ;; within[0], and its square root to scatter[label], rows in order (as centreScores did it
  ;; in JavaScript); a negative label's row is skipped.
  (func (export "addOwnDistances")
    (param $rows i32) (param $d i32) (param $data i32) (param $labels i32) (param $centres i32) (param $scatter i32) (param $within i32)
    (local $i i32) (local $j i32) (local $p i32) (local $q i32) (local $l i32) (local $s f64) (local $diff f64) (local $at i32)
    (local.set $p (local.get $data))
    (local.set $i (i32.const 0))
    (block $rows_done (loop $each_row
      (br_if $rows_done (i32.ge_s (local.get $i) (local.get $rows)))
      (local.set $l (i32.load (i32.add (local.get $labels) (i32.shl (local.get $i) (i32.const 2)))))
      (if (i32.ge_s (local.get $l) (i32.const 0))
        (then
          (local.set $q (i32.add (local.get $centres) (i32.shl (i32.mul (local.get $l) (local.get $d)) (i32.const 3))))
          (local.set $s (f64.const 0))
          (local.set $j (i32.const 0))
          (block $features_done (loop $each_feature
            (br_if $features_done (i32.ge_s (local.get $j) (local.get $d)))
            (local.set $diff (f64.sub
              (f64.load (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 3))))
              (f64.load (i32.add (local.get $q) (i32.shl (local.get $j) (i32.const 3))))))
            (local.set $s (f64.add (local.get $s) (f64.mul (local.get $diff) (local.get $diff))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $each_feature)))
          (f64.store (local.get $within) (f64.add (f64.load (local.get $within)) (local.get $s)))
          (local.set $at (i32.add (local.get $scatter) (i32.shl (local.get $l) (i32.const 3))))
          (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (f64.sqrt (local.get $s))))))
      (local.set $p (i32.add (local.get $p) (i32.shl (local.get $d) (i32.const 3))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $each_row))))

  ;; The square root of each of n f64 at p, in place, two at a time (the bounds Hamerly's
  ;; Lloyd keeps are distances, the nearest pass gives their squares).
  (func (export "rootsInPlace")
    (param $p i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3))))
    (block $pairs_done (loop $each_pair
      (br_if $pairs_done (i32.ge_u (local.get $p) (local.get $end)))
      (v128.store (local.get $p) (f64x2.sqrt (v128.load (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br $each_pair)))
    (if (i32.and (local.get $n) (i32.const 1))
      (then (f64.store (local.get $p) (f64.sqrt (f64.load (local.get $p)))))))
)
