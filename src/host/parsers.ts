/**
 * Picks a parser backend and, for WASM, finds the two .wasm files: `dist/` next to the bundle
 * when running bundled (esbuild.mjs copies them there), else `node_modules` (tests, ts-node).
 */
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import type { CParser } from '../engine/parse/tree/parser';
import { createWasmParser } from '../engine/parse/tree/wasm-parser';
import { createNativeParser } from './native-parser';

const RUNTIME = 'web-tree-sitter.wasm';
const LANGUAGE = 'tree-sitter-c.wasm';

/** Directories that may hold the wasm files, most specific first. */
function candidateDirs(distDir?: string): { runtime: string; language: string }[] {
  const out: { runtime: string; language: string }[] = [];
  if (distDir) out.push({ runtime: join(distDir, RUNTIME), language: join(distDir, LANGUAGE) });
  // Bundled: __dirname is dist/ itself.
  out.push({ runtime: join(__dirname, RUNTIME), language: join(__dirname, LANGUAGE) });
  out.push({ runtime: join(__dirname, '..', 'dist', RUNTIME), language: join(__dirname, '..', 'dist', LANGUAGE) });
  for (const root of [process.env.LOCKLENS_ROOT, join(__dirname, '..'), join(__dirname, '..', '..'), join(__dirname, '..', '..', '..'), process.cwd()]) {
    if (!root) continue;
    out.push({
      // The npm package names its runtime tree-sitter.wasm; dist/ renames it (esbuild.mjs).
      runtime: join(root, 'node_modules', 'web-tree-sitter', 'tree-sitter.wasm'),
      language: join(root, 'node_modules', 'tree-sitter-c', LANGUAGE),
    });
  }
  return out;
}

export function locateWasmFiles(distDir?: string): { runtime: string; language: string } {
  const tried = candidateDirs(distDir);
  const hit = tried.find((c) => existsSync(c.runtime) && existsSync(c.language));
  if (!hit) {
    throw new Error(
      `cannot find ${RUNTIME} and ${LANGUAGE}; looked in: ${[...new Set(tried.map((c) => c.runtime))].join(', ')}. ` +
        `Run 'node esbuild.mjs' to copy them into dist/.`,
    );
  }
  return hit;
}

export async function createParser(backend: 'wasm' | 'native', distDir?: string): Promise<CParser> {
  if (backend === 'native') return createNativeParser();
  const files = locateWasmFiles(distDir);
  return createWasmParser({ runtimeWasm: readFileSync(files.runtime), languageWasm: readFileSync(files.language) });
}
