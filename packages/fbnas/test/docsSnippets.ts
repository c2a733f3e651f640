import ts from 'typescript';

/** A ```ts block of a Markdown file and the line its code starts on. */
export interface DocSnippet {
  code: string;
  line: number;
}

/**
 * The ```ts blocks of a Markdown file (or, with `language: 'yaml'`, the ```yaml blocks); a block fenced as
 * ```ts norun is shown but not executed.
 */
export function extractSnippets(markdown: string, language: 'ts' | 'yaml' = 'ts'): DocSnippet[] {
  const snippets: DocSnippet[] = [];
  const fence = language === 'ts' ? /^```(ts|typescript)\s*(\S*)\s*$/ : /^```(yaml|yml)\s*(\S*)\s*$/;
  let current: { code: string[]; line: number; run: boolean } | null = null;
  markdown.split('\n').forEach((text, i) => {
    if (current === null) {
      const m = fence.exec(text);
      if (m) current = { code: [], line: i + 2, run: m[2] !== 'norun' };
    } else if (/^```\s*$/.test(text)) {
      if (current.run) snippets.push({ code: current.code.join('\n'), line: current.line });
      current = null;
    } else current.code.push(text);
  });
  return snippets;
}

/** Transpile a snippet to CommonJS and run it with `requireFn`; resolves when it (and its awaits) finish. */
export function runSnippet(code: string, requireFn: NodeJS.Require): Promise<void> {
  const js = ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText;
  const fn = new Function('require', 'module', 'exports', `return (async () => {\n${js}\n})();`) as (
    r: NodeJS.Require,
    m: { exports: object },
    e: object,
  ) => Promise<void>;
  const module = { exports: {} };
  return fn(requireFn, module, module.exports);
}
