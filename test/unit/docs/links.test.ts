/**
 * The README and docs/ link into one another by file and heading: every
 * relative link must name a file that exists and, when it has an anchor, a
 * heading of that file (GitHub's slugs), so that moving a section breaks this
 * test instead of a reader's link. The alert rules' runbook_urls are checked
 * against docs/alerts.md by test/unit/deploy/alert-rules.test.ts.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';

const root = new URL('../../../', import.meta.url).pathname;
const pages = ['README.md', ...readdirSync(join(root, 'docs')).map((f) => `docs/${f}`)].filter((f) =>
  f.endsWith('.md'),
);

/** Markdown outside fenced code blocks: code may show anything that looks like a link or a heading. */
function prose(text: string): string {
  return text.replace(/^```[\s\S]*?^```/gm, '');
}

/** GitHub's anchor of each heading: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, heading] of prose(text).matchAll(/^#{1,6} (.+)$/gm)) {
    const slug = heading!
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

describe('links between the README and docs/', () => {
  it('every relative link names a file that exists, and a heading of it when it has an anchor', () => {
    const broken: string[] = [];
    let checked = 0;
    for (const page of pages) {
      const text = readFileSync(join(root, page), 'utf8');
      for (const [, target] of prose(text).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target!)) continue;
        const [path, anchor] = target!.split('#');
        const file = path ? join(dirname(join(root, page)), path) : join(root, page);
        checked++;
        if (!existsSync(file)) broken.push(`${page}: ${target} (no such file)`);
        else if (anchor && file.endsWith('.md') && !anchorsOf(readFileSync(file, 'utf8')).has(anchor)) {
          broken.push(`${page}: ${target} (no such heading in ${relative(root, file)})`);
        }
      }
    }
    assert.deepEqual(broken, []);
    assert.ok(checked > 40, `links were checked (${checked})`);
  });

  it('the README stays a front door: at most 300 lines, linking every page of docs/', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    assert.ok(readme.split('\n').length <= 300, 'README.md is at most 300 lines');
    for (const page of pages.filter((p) => p.startsWith('docs/'))) {
      assert.ok(readme.includes(`](${page}`), `README links ${page}`);
    }
  });
});
