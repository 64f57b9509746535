/**
 * Native node tree-sitter backend (optional fast path for the CLI). `tree-sitter` is an
 * optionalDependency and is kept out of the bundle (esbuild `external`), so it is required at
 * run time and a missing or ABI-incompatible build gives one clear error.
 */
import type { CParser, SyntaxNode, SyntaxTree } from '../engine/parse/tree/parser';

interface NativeTree {
  rootNode: SyntaxNode;
}
interface NativeParser {
  setLanguage(lang: unknown): void;
  parse(input: string, oldTree?: unknown, options?: { bufferSize?: number; progressCallback?: (index: number, hasError: boolean) => boolean }): NativeTree | null;
  reset(): void;
}

export class NativeParserUnavailableError extends Error {
  constructor(cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      `native tree-sitter backend unavailable (${why.split('\n')[0]}). ` +
        `Install the optional 'tree-sitter' package for this Node version, or use the wasm backend (--parser wasm).`,
    );
    this.name = 'NativeParserUnavailableError';
  }
}

export function createNativeParser(): CParser {
  let parser: NativeParser;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ParserCtor = require('tree-sitter') as new () => NativeParser;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const language = require('tree-sitter-c') as unknown;
    parser = new ParserCtor();
    parser.setLanguage(language);
  } catch (e) {
    throw new NativeParserUnavailableError(e);
  }
  let deleted = false;
  return {
    backend: 'native',
    parse(text: string, timeoutMs?: number): SyntaxTree | null {
      if (deleted) return null;
      // The default 32 KiB input chunk makes big files cross into JS thousands of times.
      const bufferSize = Math.max(32 * 1024, Math.min(text.length + 1, 64 * 1024 * 1024));
      let tree: NativeTree | null;
      try {
        if (timeoutMs !== undefined && timeoutMs > 0) {
          const deadline = performance.now() + timeoutMs;
          tree = parser.parse(text, null, { bufferSize, progressCallback: () => performance.now() > deadline });
        } else {
          tree = parser.parse(text, null, { bufferSize });
        }
      } catch {
        tree = null; // a halted parse throws in some versions instead of returning null
      }
      if (!tree) {
        parser.reset();
        return null;
      }
      // Native trees are garbage-collected; delete() exists for the common interface.
      return { rootNode: tree.rootNode, delete: () => undefined };
    },
    delete(): void {
      deleted = true;
    },
  };
}
