import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMatrix } from '../../../server/analysis/matrix.ts';
import { countLeaves, growThresholdTree, treePaths } from '../../../server/analysis/threshold-tree.ts';
import { roundBetween } from '../../../server/segmentation/segment-rules.ts';

/** Four groups on a 2-D grid, labelled by group, with their means as centres. */
function grid(): { x: ReturnType<typeof createMatrix>; labels: Int32Array; centres: number[][] } {
  const points: number[] = [];
  const labels: number[] = [];
  for (let g = 0; g < 4; g++) {
    for (let i = 0; i < 50; i++) {
      points.push((g % 2) * 100 + (i % 10), Math.floor(g / 2) * 100 + Math.floor(i / 10));
      labels.push(g);
    }
  }
  const x = createMatrix(200, 2, Float64Array.from(points));
  const centres = [0, 1, 2, 3].map((g) => [(g % 2) * 100 + 4.5, Math.floor(g / 2) * 100 + 2]);
  return { x, labels: Int32Array.from(labels), centres };
}

describe('threshold tree (IMM, then ExKMC leaves)', () => {
  it('separates well-apart groups with k leaves and places every point in its own group', () => {
    const { x, labels, centres } = grid();
    const tree = growThresholdTree(x, labels, centres, { maxLeaves: 8, maxDepth: 4, minGain: 0.005 });
    assert.equal(countLeaves(tree), 4, 'no extra leaf pays when the k leaves are already exact');
    const paths = treePaths(tree);
    assert.deepEqual(paths.map((p) => p.label).sort(), [0, 1, 2, 3]);
    for (const p of paths) assert.equal(p.size, 50);
  });

  it('adds a leaf where one cut places many points back in their own segment', () => {
    const { x, labels, centres } = grid();
    // Group 3's last 20 points are relabelled 0: IMM's cuts cannot see them, one more cut can.
    for (let i = 180; i < 200; i++) labels[i] = 0;
    const imm = growThresholdTree(x, labels, centres, { maxLeaves: 4, maxDepth: 4, minGain: 0.005 });
    const grown = growThresholdTree(x, labels, centres, { maxLeaves: 8, maxDepth: 4, minGain: 0.005 });
    const correct = (tree: typeof imm) => treePaths(tree).length && [...Array(200).keys()].filter((r) => {
      let node = tree;
      while (!node.leaf) node = x.data[r * 2 + node.cut.column] >= node.cut.threshold ? node.right : node.left;
      return node.label === labels[r];
    }).length;
    assert.ok(correct(grown) > correct(imm), `${correct(grown)} against IMM's ${correct(imm)}`);
    assert.equal(correct(grown), 200);
  });

  it('writes a threshold as a round number strictly between the two values it separates', () => {
    assert.equal(roundBetween(60_412, 61_234.5), 61_000);
    assert.equal(roundBetween(0, 1), 1);
    assert.equal(roundBetween(2.5, 2.5000001), 2.5000001);
    for (const [below, above] of [[1.04, 1.06], [-3.2, -3.1], [999.99, 1000.01]]) {
      const t = roundBetween(below, above);
      assert.ok(t > below && t <= above, `${t} between ${below} and ${above}`);
    }
  });
});
