/** Mocha entry for the extension-host suites: run() is what the workbench calls (tdd UI). */
import * as path from 'node:path';
import { readdirSync } from 'node:fs';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, reporter: 'spec' });
  // Suites share one analysed workspace and run in file-name order (01-…, 02-…).
  for (const f of readdirSync(__dirname).filter((n) => /^\d\d[a-z]?-.*\.js$/.test(n)).sort()) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures ? reject(new Error(`${failures} extension-host test(s) failed`)) : resolve()));
  });
}
