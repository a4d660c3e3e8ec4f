// Finds the fenced code blocks of a markdown file, with the markers in the
// HTML comments right above each one and the heading it sits under.

const FENCE = /^( *)(`{3,}|~{3,})(.*)$/;
const COMMENT = /^\s*<!--([\s\S]*?)-->\s*$/;
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;

/**
 * Each block: `line` (1-based line of the opening fence), `codeLine` (line of
 * the first line of code), `lang` (the first word of the info string, or ''),
 * `code` (without the fence's indentation), `markers` (`snippet` and
 * `consumerTest`: the text of `<!-- snippet: … -->` and
 * `<!-- consumer-test: … -->` right above the block), `section` (the text of
 * the nearest heading above). `problems` lists fences that never close.
 */
export function extractBlocks(markdown) {
  const lines = markdown.split('\n');
  const blocks = [];
  const problems = [];
  let section = '';
  for (let i = 0; i < lines.length; i++) {
    const heading = HEADING.exec(lines[i]);
    if (heading) {
      section = heading[2];
      continue;
    }
    const open = FENCE.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, info] = open;
    const close = new RegExp(
      `^ {0,${indent.length + 3}}${fence[0]}{${fence.length},}\\s*$`,
    );
    let end = i + 1;
    while (end < lines.length && !close.test(lines[end])) end++;
    if (end >= lines.length) {
      problems.push({
        line: i + 1,
        message: `the code block opened here is never closed (${fence})`,
      });
      break;
    }
    const code = lines
      .slice(i + 1, end)
      .map(line => stripIndent(line, indent.length))
      .join('\n');
    blocks.push({
      line: i + 1,
      codeLine: i + 2,
      lang: info.trim().split(/\s+/)[0] ?? '',
      code,
      markers: markersAbove(lines, i),
      section,
    });
    i = end;
  }
  return { blocks, problems };
}

function stripIndent(line, width) {
  let cut = 0;
  while (cut < width && line[cut] === ' ') cut++;
  return line.slice(cut);
}

/** Markers in the comment lines (blank lines between allowed) above line i. */
function markersAbove(lines, i) {
  const markers = {};
  for (let j = i - 1; j >= 0; j--) {
    const line = lines[j];
    if (line.trim() === '') continue;
    const comment = COMMENT.exec(line);
    if (!comment) break;
    const text = comment[1].trim();
    const marker = /^(snippet|consumer-test):\s*([\s\S]*)$/.exec(text);
    if (!marker) continue;
    const key = marker[1] === 'snippet' ? 'snippet' : 'consumerTest';
    if (!(key in markers))
      markers[key] = { text: marker[2].trim(), line: j + 1 };
  }
  return markers;
}
