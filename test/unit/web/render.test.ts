import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

describe('chart attributes', () => {
  it('escape the JSON for an HTML attribute exactly as EJS does, once per config', async () => {
    const ejs = (await import('ejs')).default;
    const { chartAttribute } = await import('../../../server/web/render.ts');
    const config = { data: { labels: ['<script>alert("x")</script>', "O'Brien & co"] } };
    const attribute = chartAttribute(config);
    assert.equal(attribute, ejs.escapeXML(JSON.stringify(config)));
    assert.doesNotMatch(attribute, /[<>"]/);
    assert.equal(chartAttribute(config), attribute);
  });
});
