/** Segment colours for any k the API allows: distinct, and the same in charts and CSS. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { NOISE_COLOUR, SEGMENT_COLOURS, segmentColour } from '../../../server/web/charts.ts';
import { LIMITS } from '../../../server/web/params.ts';

describe('segment colours', () => {
  it(`gives each of ${LIMITS.kMax} segments its own colour, none the noise grey`, () => {
    const colours = Array.from({ length: LIMITS.kMax }, (_, i) => segmentColour(i).toUpperCase());
    assert.equal(new Set(colours).size, LIMITS.kMax);
    assert.ok(!colours.includes(NOISE_COLOUR.toUpperCase()));
  });

  it('has the same colours in the stylesheet, with a swatch class each', () => {
    const css = readFileSync(new URL('../../../public/app.css', import.meta.url), 'utf8');
    SEGMENT_COLOURS.forEach((colour, i) => {
      assert.match(css, new RegExp(`--seg-${i}: ${colour};`, 'i'), `--seg-${i}`);
      assert.match(css, new RegExp(`\\.seg-${i} \\{ --swatch: var\\(--seg-${i}\\); \\}`), `.seg-${i}`);
    });
  });
});
