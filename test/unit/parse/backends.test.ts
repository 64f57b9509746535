import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNativeParser, NativeParserUnavailableError } from '../../../src/host/native-parser';
import { createParser, locateWasmFiles } from '../../../src/host/parsers';
import { nativeParser, wasmParser } from './helpers';

test('wasm backend parses and reports itself', async () => {
  const p = await wasmParser();
  assert.equal(p.backend, 'wasm');
  const tree = p.parse('int main(void) { return 0; }\n');
  assert.ok(tree);
  try {
    assert.equal(tree.rootNode.type, 'translation_unit');
    assert.equal(tree.rootNode.hasError, false);
  } finally {
    tree.delete();
  }
});

test('createParser finds the wasm files (node_modules when not bundled) and a bad dist dir is skipped', async () => {
  const files = locateWasmFiles('/nonexistent-dist');
  assert.match(files.runtime, /(web-tree-sitter\/tree-sitter|dist\/web-tree-sitter)\.wasm$/);
  assert.match(files.language, /tree-sitter-c\.wasm$/);
  const p = await createParser('wasm', '/nonexistent-dist');
  const tree = p.parse('void f(void) {}');
  assert.equal(tree?.rootNode.type, 'translation_unit');
  tree?.delete();
  p.delete();
  assert.equal(p.parse('int x;'), null, 'a deleted parser parses nothing');
});

test('native backend: works when built, or fails with a clear error', (t) => {
  if (!nativeParser()) {
    assert.throws(() => createNativeParser(), NativeParserUnavailableError);
    assert.throws(() => createNativeParser(), /--parser wasm/);
    t.skip('native module unavailable');
    return;
  }
  const p = createNativeParser();
  assert.equal(p.backend, 'native');
  const tree = p.parse('int x;');
  assert.equal(tree?.rootNode.type, 'translation_unit');
  tree?.delete();
});

test('NativeParserUnavailableError names the cause and the way out', () => {
  const e = new NativeParserUnavailableError(new Error("Cannot find module 'tree-sitter'\nRequire stack: ..."));
  assert.match(e.message, /Cannot find module 'tree-sitter'\)/);
  assert.ok(!e.message.includes('Require stack'));
  assert.match(e.message, /--parser wasm/);
});
