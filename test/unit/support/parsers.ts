/**
 * Parsers for tests, one per process: the WASM backend from node_modules (tests run unbundled
 * from the repository) and the optional native backend (null when not built for this Node).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FileFacts } from '../../../src/engine/ir';
import type { CParser } from '../../../src/engine/parse/tree/parser';
import { createWasmParser } from '../../../src/engine/parse/tree/wasm-parser';
import { createNativeParser } from '../../../src/host/native-parser';

export const ROOT = process.env.LOCKLENS_ROOT ?? process.cwd();

let wasm: Promise<CParser> | null = null;
export function wasmParser(): Promise<CParser> {
  wasm ??= createWasmParser({
    runtimeWasm: readFileSync(join(ROOT, 'node_modules/web-tree-sitter/tree-sitter.wasm')),
    languageWasm: readFileSync(join(ROOT, 'node_modules/tree-sitter-c/tree-sitter-c.wasm')),
  });
  return wasm;
}

let native: CParser | null | undefined;
export function nativeParser(): CParser | null {
  if (native === undefined) {
    try {
      native = createNativeParser();
    } catch {
      native = null;
    }
  }
  return native;
}

/** FileFacts minus timing fields, for deep equality across runs and backends. */
export function untimed(f: FileFacts): Omit<FileFacts, 'parseMs' | 'extractMs'> {
  const { parseMs: _p, extractMs: _e, ...rest } = f;
  return rest;
}
