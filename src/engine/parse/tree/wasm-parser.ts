/**
 * web-tree-sitter (WASM) backend: the default, used by the extension and the CLI. The host
 * reads the two .wasm files and hands over the bytes, so this module stays free of IO.
 */
// `import = require` on purpose: esbuild then resolves the package's "require" condition (the
// CJS build). A plain `import` picks the ESM build, whose `createRequire(import.meta.url)`
// breaks inside our CJS bundles (dist/cli.js, dist/extension.js).
import WebTreeSitter = require('web-tree-sitter');
import type { CParser, InputEdit, SyntaxTree } from './parser';
import { registerWasmRoot, wasmCursorExports, type WasmCursorExports, type WasmRootApi } from './wasm-cursor';
import { verifyRawTreeLayout, type RawTreeLayout } from './wasm-raw-tree';

const { Language, Parser } = WebTreeSitter;

// Parser.init instantiates one emscripten module per process; doing it twice is wasteful and
// racy, so every createWasmParser call shares the first initialisation.
let runtimeReady: Promise<void> | null = null;
/** Direct cursor exports of the runtime (see wasm-cursor.ts), null when this build lacks them. */
let rawCursorApi: { exports: WasmCursorExports; buffer: number } | null = null;
/** The emscripten module object (its heap views are what wasm-raw-tree.ts reads). */
let runtimeModule: unknown = null;

export interface WasmParserOptions {
  /** Bytes of `web-tree-sitter.wasm`. */
  runtimeWasm: Uint8Array;
  /** Bytes of `tree-sitter-c.wasm`. */
  languageWasm: Uint8Array;
  /**
   * For tests only: a different struct layout for the raw-memory tree reader (wasm-raw-tree.ts),
   * to check that the start-up verification rejects a wrong one.
   */
  rawTreeLayout?: Readonly<RawTreeLayout>;
}

export async function createWasmParser(opts: WasmParserOptions): Promise<CParser> {
  if (!runtimeReady) {
    // emscripten attaches the module's exports to this object (wasm-cursor.ts uses them).
    const moduleObject = { wasmBinary: opts.runtimeWasm };
    runtimeReady = Parser.init(moduleObject as object).then(() => {
      rawCursorApi = wasmCursorExports(moduleObject);
      runtimeModule = moduleObject;
    });
    runtimeReady.catch(() => {
      runtimeReady = null; // allow a retry with other bytes
    });
  }
  await runtimeReady;
  const language = await Language.load(opts.languageWasm);
  const parser = new Parser();
  parser.setLanguage(language);
  let deleted = false;
  // Per parser (the layout check reads the language's tables too); null ⇒ wasm-cursor.ts path.
  const rawTree = verifyRawTreeLayout(runtimeModule, { parse: (t) => parser.parse(t) }, opts.rawTreeLayout);
  const rootApi: WasmRootApi | null = rawCursorApi || rawTree ? { cursor: rawCursorApi, tree: rawTree } : null;

  type RawTree = NonNullable<ReturnType<typeof parser.parse>>;
  // Wrapper → web-tree-sitter tree, for `reparse`/`changedRanges` (the wrapper hides the class).
  const rawOf = new WeakMap<SyntaxTree, RawTree>();
  const wrap = (t: RawTree): SyntaxTree => {
    const rootNode = t.rootNode;
    if (rootApi) registerWasmRoot(rootNode, rootApi);
    const w: SyntaxTree = {
      rootNode,
      delete: () => t.delete(),
      changedRanges: (newer: SyntaxTree) => {
        const n = rawOf.get(newer);
        if (!n) return [{ startIndex: 0, endIndex: Number.MAX_SAFE_INTEGER }];
        return t.getChangedRanges(n).map((r) => ({ startIndex: r.startIndex, endIndex: r.endIndex }));
      },
    };
    rawOf.set(w, t);
    return w;
  };
  const run = (text: string, old: RawTree | null, timeoutMs?: number): SyntaxTree | null => {
    if (deleted) return null;
    let tree;
    if (timeoutMs !== undefined && timeoutMs > 0) {
      const deadline = performance.now() + timeoutMs;
      // Returning true from the progress callback cancels the parse (tree = null).
      const progressCallback = (): boolean => performance.now() > deadline;
      tree = parser.parse(text, old, { progressCallback });
    } else {
      tree = parser.parse(text, old);
    }
    if (!tree) {
      parser.reset(); // a cancelled parse would otherwise resume on the next call
      return null;
    }
    return wrap(tree);
  };

  return {
    backend: 'wasm',
    parse(text: string, timeoutMs?: number): SyntaxTree | null {
      return run(text, null, timeoutMs);
    },
    reparse(text: string, old: SyntaxTree, edit: InputEdit, timeoutMs?: number): SyntaxTree | null {
      const o = rawOf.get(old);
      if (!o) return run(text, null, timeoutMs);
      o.edit(edit);
      return run(text, o, timeoutMs);
    },
    delete(): void {
      if (!deleted) {
        deleted = true;
        parser.delete();
      }
    },
  };
}
