// `npm run lines`: lines per folder, so growth shows in review (files under about 300 lines; past 400 a file usually holds two ideas).
// Each folder under src/ gets its own row (files directly in src/ count as "src"); shaders,
// bench and test count as a whole. "code" leaves out blank lines and lines that are only a
// comment. Files past 400 lines are listed after the table.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const SOURCE = /\.(ts|mjs|js|wgsl|html)$/;
const LONG = 400;

/** Source files under dir; with `deep` false, only those directly in it. */
function filesIn(dir, deep = true) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return deep && name !== 'node_modules' ? filesIn(path) : [];
    return SOURCE.test(name) ? [path] : [];
  });
}

function count(path) {
  const lines = readFileSync(path, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const code = lines.filter((line) => {
    const t = line.trim();
    return t !== '' && !t.startsWith('//') && !t.startsWith('/*') && !t.startsWith('*') && !t.startsWith('<!--');
  });
  return { lines: lines.length, code: code.length };
}

const src = join(root, 'src');
const groups = [
  ['src', filesIn(src, false)],
  ...(existsSync(src) ? readdirSync(src).filter((n) => statSync(join(src, n)).isDirectory()).sort() : [])
    .map((name) => [`src/${name}`, filesIn(join(src, name))]),
  ...['shaders', 'bench', 'test'].map((name) => [name, filesIn(join(root, name))]),
];

const rows = groups.map(([name, files]) => {
  const counts = files.map(count);
  return { name, files: files.length, lines: counts.reduce((s, c) => s + c.lines, 0), code: counts.reduce((s, c) => s + c.code, 0) };
});
const pad = (v, n) => String(v).padStart(n);
console.log(`${'folder'.padEnd(14)}${pad('files', 6)}${pad('lines', 8)}${pad('code', 8)}`);
for (const r of rows) console.log(`${r.name.padEnd(14)}${pad(r.files, 6)}${pad(r.lines, 8)}${pad(r.code, 8)}`);
const total = (key) => rows.reduce((s, r) => s + r[key], 0);
const library = rows.filter((r) => r.name.startsWith('src') || r.name === 'shaders');
console.log(`${'library'.padEnd(14)}${pad(library.reduce((s, r) => s + r.files, 0), 6)}` +
  `${pad(library.reduce((s, r) => s + r.lines, 0), 8)}${pad(library.reduce((s, r) => s + r.code, 0), 8)}   (src + shaders)`);
console.log(`${'total'.padEnd(14)}${pad(total('files'), 6)}${pad(total('lines'), 8)}${pad(total('code'), 8)}`);

const long = groups.flatMap(([, files]) => files).map((f) => [relative(root, f), count(f).lines]).filter(([, n]) => n > LONG);
if (long.length) console.log(`\nover ${LONG} lines: ${long.map(([f, n]) => `${f} (${n})`).join(', ')}`);
