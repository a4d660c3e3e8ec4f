// Reads the code blocks of the docs that carry a `<!-- consumer-test: NAME -->`
// marker, so the consumer test applies what the docs say, not a copy of it.
import { readFileSync } from 'node:fs';

const MARKED_BLOCK =
  /<!-- consumer-test: ([a-z0-9-]+) -->\s*\n\s*```[a-z]*\n([\s\S]*?)\n```/g;

/** name -> code of every marked block in the given markdown files. */
export function readDocSnippets(files) {
  const snippets = new Map();
  for (const file of files) {
    const markdown = readFileSync(file, 'utf8');
    for (const [, name, code] of markdown.matchAll(MARKED_BLOCK)) {
      if (snippets.has(name)) {
        throw new Error(`${file}: snippet '${name}' is marked twice`);
      }
      snippets.set(name, code);
    }
  }
  return {
    get(name) {
      const code = snippets.get(name);
      if (code === undefined) {
        throw new Error(
          `no block marked <!-- consumer-test: ${name} --> in ${files.join(
            ', ',
          )}`,
        );
      }
      return code;
    },
    names: () => [...snippets.keys()],
  };
}
