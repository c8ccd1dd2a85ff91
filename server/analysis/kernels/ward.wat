;; The scan of Ward's nearest-neighbour chain: the active cluster nearest to the one in slot
;; pa, two columns per instruction (f64x2). Ward's cost of merging the clusters in slots p and
;; q is 2 n_p n_q / (n_p + n_q) times the squared distance between their means.
;;
;; Layout, given by the caller (agglomerative.ts), for the active clusters in slots 0..count-1:
;;   means  count * d f64, slot-major
;;   sizes  count f64
;;   ids    count i32: the cluster in each slot (ties go to the lowest id)
(module
  (memory (export "memory") 1)
  (global $best (export "best") (mut f64) (f64.const 0))

  ;; Squared distance between the means in slots p and q: columns in pairs, the odd last alone.
  (func $gap (param $means i32) (param $d i32) (param $p i32) (param $q i32) (result f64)
    (local $u i32) (local $v i32) (local $c i32) (local $sum v128) (local $diff v128) (local $s f64) (local $t f64)
    (local.set $u (i32.add (local.get $means) (i32.shl (i32.mul (local.get $p) (local.get $d)) (i32.const 3))))
    (local.set $v (i32.add (local.get $means) (i32.shl (i32.mul (local.get $q) (local.get $d)) (i32.const 3))))
    (local.set $sum (v128.const f64x2 0 0))
    (local.set $c (i32.const 0))
    (block $pairs_done (loop $pairs
      (br_if $pairs_done (i32.ge_s (i32.add (local.get $c) (i32.const 1)) (local.get $d)))
      (local.set $diff (f64x2.sub (v128.load (local.get $u)) (v128.load (local.get $v))))
      (local.set $sum (f64x2.add (local.get $sum) (f64x2.mul (local.get $diff) (local.get $diff))))
      (local.set $u (i32.add (local.get $u) (i32.const 16)))
      (local.set $v (i32.add (local.get $v) (i32.const 16)))
      (local.set $c (i32.add (local.get $c) (i32.const 2)))
      (br $pairs)))
    (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $sum)) (f64x2.extract_lane 1 (local.get $sum))))
    (if (i32.lt_s (local.get $c) (local.get $d))
      (then
        (local.set $t (f64.sub (f64.load (local.get $u)) (f64.load (local.get $v))))
        (local.set $s (f64.add (local.get $s) (f64.mul (local.get $t) (local.get $t))))))
    (local.get $s))

  ;; The slot of the cluster nearest to slot pa; its cost in the global best. The previous
  ;; chain element (slot prev, or -1) wins ties, so the chain ends in a reciprocal pair;
  ;; among other ties the lowest id wins.
  (func (export "nearest")
    (param $means i32) (param $sizes i32) (param $ids i32) (param $count i32) (param $d i32) (param $pa i32) (param $prev i32)
    (result i32)
    (local $m i32) (local $b i32) (local $na f64) (local $nm f64) (local $s f64) (local $w f64) (local $bestCost f64)
    (local.set $na (f64.load (i32.add (local.get $sizes) (i32.shl (local.get $pa) (i32.const 3)))))
    (local.set $b (local.get $prev))
    (local.set $bestCost (f64.const inf))
    (if (i32.ge_s (local.get $prev) (i32.const 0))
      (then
        (local.set $nm (f64.load (i32.add (local.get $sizes) (i32.shl (local.get $prev) (i32.const 3)))))
        (local.set $bestCost
          (f64.mul
            (f64.div (f64.mul (f64.mul (f64.const 2) (local.get $na)) (local.get $nm)) (f64.add (local.get $na) (local.get $nm)))
            (call $gap (local.get $means) (local.get $d) (local.get $pa) (local.get $prev))))))
    (local.set $m (i32.const 0))
    (block $done (loop $scan
      (br_if $done (i32.ge_s (local.get $m) (local.get $count)))
      (if (i32.ne (local.get $m) (local.get $pa))
        (then
          (local.set $s (call $gap (local.get $means) (local.get $d) (local.get $pa) (local.get $m)))
          ;; The size factor is at least 1: a gap already above the best cannot win.
          (if (f64.le (local.get $s) (local.get $bestCost))
            (then
              (local.set $nm (f64.load (i32.add (local.get $sizes) (i32.shl (local.get $m) (i32.const 3)))))
              (local.set $w
                (f64.mul
                  (f64.div (f64.mul (f64.mul (f64.const 2) (local.get $na)) (local.get $nm)) (f64.add (local.get $na) (local.get $nm)))
                  (local.get $s)))
              (if (i32.or
                    (f64.lt (local.get $w) (local.get $bestCost))
                    (i32.and
                      (f64.eq (local.get $w) (local.get $bestCost))
                      (i32.and
                        (i32.and (i32.ne (local.get $b) (local.get $prev)) (i32.ge_s (local.get $b) (i32.const 0)))
                        (i32.lt_s
                          (i32.load (i32.add (local.get $ids) (i32.shl (local.get $m) (i32.const 2))))
                          (i32.load (i32.add (local.get $ids) (i32.shl (local.get $b) (i32.const 2))))))))
                (then
                  (local.set $bestCost (local.get $w))
                  (local.set $b (local.get $m))))))))
      (local.set $m (i32.add (local.get $m) (i32.const 1)))
      (br $scan)))
    (global.set $best (local.get $bestCost))
    (local.get $b)))
