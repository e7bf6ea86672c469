// report.html: the markdown report (headings, tables, paragraphs) as HTML with the SVG charts
// inline, so the file opens anywhere without a server or network.

/** Text made safe to put in HTML. */
export const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function markdownToHtml(markdown: string): string {
  return markdown.trim().split(/\n\n+/).map((block) => {
    if (block.startsWith('#')) {
      const level = block.match(/^#+/)![0].length;
      return `<h${level}>${escape(block.slice(level).trim())}</h${level}>`;
    }
    const lines = block.split('\n');
    if (lines.length >= 2 && lines.every((l) => l.startsWith('|'))) {
      const cells = (l: string) => l.slice(1, -1).split('|').map((c) => escape(c.trim()));
      const [head, , ...rows] = lines;
      return `<table><thead><tr>${cells(head).map((c) => `<th>${c}</th>`).join('')}</tr></thead><tbody>` +
        rows.map((r) => `<tr>${cells(r).map((c) => `<td class="${/^(VANISH|EXPLODE|OVERFLOW|vanishing|exploding|overflow)/.test(c) ? 'bad' : ''}">${c}</td>`).join('')}</tr>`).join('') +
        '</tbody></table>';
    }
    return `<p>${escape(block)}</p>`;
  }).join('\n');
}

export function htmlReport(markdown: string, svgs: Record<string, string>): string {
  const charts = Object.entries(svgs).map(([name, svg]) => `<figure id="${name}">${svg}</figure>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>gpugrad benchmark report</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 12px; display: block; overflow-x: auto; }
th, td { border: 1px solid #ddd; padding: 2px 6px; text-align: right; white-space: nowrap; }
th { background: #f4f4f4; } td.bad { color: #b00020; font-weight: 600; }
figure { margin: 1.5em 0; overflow-x: auto; }
</style></head><body>
<h2>Charts</h2>
${charts}
${markdownToHtml(markdown)}
</body></html>
`;
}
