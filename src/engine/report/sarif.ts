/**
 * SARIF 2.1.0 output: one run, one rule per rule id, witness chains as codeFlows so code-scanning
 * UIs show the call chain step by step.
 */
import type { Finding, RuleId, Severity, WitnessStep } from '../model';
import { RULE_IDS } from '../model';
import { RULES } from '../rules';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

function location(file: string, line: number, message?: string) {
  return {
    physicalLocation: { artifactLocation: { uri: encodeURI(file), uriBaseId: '%SRCROOT%' }, region: { startLine: Math.max(1, line) } },
    ...(message ? { message: { text: message } } : {}),
  };
}

function threadFlow(steps: WitnessStep[]) {
  return {
    locations: steps.map((s, i) => ({
      location: location(s.file, s.line, `${s.function}(): ${s.note}`),
      nestingLevel: 0,
      executionOrder: i + 1,
    })),
  };
}

export function renderSarif(findings: Finding[], toolVersion: string, extraFlows?: (f: Finding) => WitnessStep[][]): object {
  const rules = RULE_IDS.map((id: RuleId) => ({
    id,
    name: id.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()),
    shortDescription: { text: RULES[id].short },
    fullDescription: { text: RULES[id].full },
    defaultConfiguration: { level: LEVEL[RULES[id].severity] },
    helpUri: `https://locklens.invalid/docs/rules.md#${RULES[id].anchor}`,
  }));
  const results = findings.map((f) => {
    const flows = [f.witness, ...(extraFlows?.(f) ?? [])].filter((w) => w.length > 0);
    return {
      ruleId: f.rule,
      ruleIndex: RULE_IDS.indexOf(f.rule),
      level: LEVEL[f.severity],
      message: { text: f.message },
      locations: [location(f.file, f.line)],
      partialFingerprints: { lockLens: f.fingerprint },
      properties: { function: f.function, locks: f.locks },
      ...(flows.length ? { codeFlows: flows.map((w) => ({ threadFlows: [threadFlow(w)] })) } : {}),
    };
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'LockLens', version: toolVersion, informationUri: 'https://locklens.invalid', rules } },
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The analysed root' } } },
        results,
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
}
