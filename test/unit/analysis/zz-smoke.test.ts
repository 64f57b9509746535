import { test } from 'node:test';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFacts } from '../../../src/engine/analysis/analyze';
import { DEFAULT_CONFIG } from '../../../src/engine/config';
import { factsOf, ROOT } from './helpers';

test('golden smoke', async () => {
  const base = join(ROOT, 'test/fixtures/rules');
  let ok = 0, bad = 0;
  for (const rule of readdirSync(base).sort()) {
    const dir = join(base, rule);
    const files: Record<string, string> = {};
    for (const f of readdirSync(dir).sort()) if (/\.[ch]$/.test(f)) files[`${rule}/${f}`] = readFileSync(join(dir, f), 'utf8');
    const cfgPath = join(dir, '.locklens.json');
    const cfg = existsSync(cfgPath) ? JSON.parse(readFileSync(cfgPath, 'utf8')) : {};
    const t = Date.now();
    const r = analyzeFacts(await factsOf(files), { config: { ...DEFAULT_CONFIG, ...cfg } });
    const dt = Date.now() - t;
    const expected = new Set<string>();
    for (const [name, text] of Object.entries(files)) text.split('\n').forEach((l, i) => { const m = /expect:\s*([\w-]+)(?:\s+locks=(.+?))?\s*\*\//.exec(l); if (m) expected.add(`${name}:${i + 1}:${m[1]}:${m[2] ?? ''}`); });
    const got = new Set(r.findings.filter((f) => f.rule === rule || true).map((f) => `${f.file}:${f.line}:${f.rule}:${f.locks.join(',')}`));
    for (const e of expected) if (!got.has(e)) { console.log('MISSING', e); bad++; } else ok++;
    for (const g of got) if (!expected.has(g)) { console.log('EXTRA  ', g); bad++; }
    for (const p of r.problems) if (p.severity !== 'info') console.log('PROBLEM', rule, p.code, p.message);
    console.log(`${rule}: ${dt}ms`);
  }
  console.log('ok', ok, 'bad', bad);
});
