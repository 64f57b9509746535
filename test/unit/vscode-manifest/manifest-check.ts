/**
 * package.json `contributes` ↔ extension code consistency, as a pure function over the manifest,
 * the id module and the source texts, so tests can feed it broken copies and see it complain.
 */
export interface Ids {
  COMMANDS: Record<string, string>;
  INTERNAL_COMMANDS: readonly string[];
  VIEWS: Record<string, string>;
  VIEW_CONTAINER: string;
  SETTINGS: Record<string, string>;
  CONTEXT: Record<string, string>;
  COLORS: Record<string, string>;
  WEBVIEW_PANEL: string;
  RULE_LEVELS: readonly string[];
}

export interface Manifest {
  activationEvents?: string[];
  engines?: { vscode?: string };
  contributes?: {
    commands?: { command: string; title: string; category?: string }[];
    menus?: Record<string, { command?: string; when?: string }[]>;
    configuration?: { title?: string; properties?: Record<string, { properties?: Record<string, { enum?: string[] }> }> }[] | object;
    views?: Record<string, { id: string }[]>;
    viewsContainers?: { activitybar?: { id: string }[] };
    viewsWelcome?: { view: string; when?: string }[];
    colors?: { id: string }[];
    keybindings?: unknown[];
  };
}

/** Source file path → text (src/extension.ts and src/vscode/**). */
export type Sources = Record<string, string>;

const uniq = <T>(xs: T[]) => [...new Set(xs)];
const diff = (a: Iterable<string>, b: Iterable<string>) => {
  const bs = new Set(b);
  return [...a].filter((x) => !bs.has(x));
};

export function checkManifest(pkg: Manifest, ids: Ids, sources: Sources, ruleIds: readonly string[]): string[] {
  const problems: string[] = [];
  const c = pkg.contributes ?? {};
  const all = Object.values(sources).join('\n');
  const commandKey = new Map(Object.entries(ids.COMMANDS).map(([k, v]) => [v, k]));

  // Commands: declared ↔ ids ↔ registered.
  const declared = (c.commands ?? []).map((x) => x.command);
  for (const d of diff(declared, Object.values(ids.COMMANDS))) problems.push(`command ${d} is declared in package.json but not in ids.ts`);
  for (const d of diff(Object.values(ids.COMMANDS), declared)) problems.push(`command ${d} is in ids.ts but not declared in package.json`);
  for (const cmd of c.commands ?? []) if (cmd.category !== 'LockLens') problems.push(`command ${cmd.command} has category ${cmd.category ?? '(none)'}, expected LockLens`);
  for (const [v, k] of commandKey) {
    if (!new RegExp(`registerCommand\\(\\s*COMMANDS\\.${k}\\b`).test(all)) problems.push(`command ${v} (COMMANDS.${k}) is never registered`);
  }
  for (const m of all.matchAll(/registerCommand\(\s*(['"`])(locklens\.[\w.]+)\1/g)) problems.push(`command ${m[2]} is registered with a string literal instead of COMMANDS`);
  if ((c.keybindings ?? []).length) problems.push('keybindings are contributed; LockLens is keybinding-free by default');

  // Palette: internal commands hidden, everything else visible (possibly conditionally).
  const palette = new Map((c.menus?.commandPalette ?? []).map((m) => [m.command ?? '', m.when ?? '']));
  for (const cmd of ids.INTERNAL_COMMANDS) if (palette.get(cmd) !== 'false') problems.push(`internal command ${cmd} must be hidden from the palette (when: false)`);
  for (const cmd of Object.values(ids.COMMANDS)) {
    if (!ids.INTERNAL_COMMANDS.includes(cmd) && palette.get(cmd) === 'false') problems.push(`command ${cmd} is hidden from the palette`);
  }
  for (const [menu, items] of Object.entries(c.menus ?? {})) {
    for (const it of items) if (it.command && !declared.includes(it.command)) problems.push(`menu ${menu} names undeclared command ${it.command}`);
  }

  // Settings: declared ↔ ids ↔ read.
  const sections = Array.isArray(c.configuration) ? c.configuration : [];
  if (!Array.isArray(c.configuration)) problems.push('contributes.configuration must be an array of titled sections');
  const props: Record<string, { properties?: Record<string, { enum?: string[] }> }> = {};
  for (const s of sections) {
    if (!s.title) problems.push('a configuration section has no title');
    Object.assign(props, s.properties ?? {});
  }
  const settingKeys = Object.values(ids.SETTINGS).map((k) => `locklens.${k}`);
  for (const d of diff(Object.keys(props), settingKeys)) problems.push(`setting ${d} is declared but not in ids.ts (never read)`);
  for (const d of diff(settingKeys, Object.keys(props))) problems.push(`setting ${d} is read but not declared in package.json`);
  const settingsSource = Object.entries(sources).find(([p]) => p.endsWith('settings.ts'))?.[1] ?? '';
  for (const [k, v] of Object.entries(ids.SETTINGS)) {
    if (!new RegExp(`SETTINGS\\.${k}\\b`).test(settingsSource)) problems.push(`setting locklens.${v} has no reader in settings.ts`);
  }
  const rules = props['locklens.rules']?.properties ?? {};
  for (const d of diff(ruleIds, Object.keys(rules))) problems.push(`rule ${d} has no entry under locklens.rules`);
  for (const d of diff(Object.keys(rules), ruleIds)) problems.push(`locklens.rules.${d} is not a rule id`);
  for (const [id, r] of Object.entries(rules)) {
    if (JSON.stringify(r.enum) !== JSON.stringify(ids.RULE_LEVELS)) problems.push(`locklens.rules.${id} levels differ from RULE_LEVELS`);
  }

  // Views, container, colours.
  const container = c.viewsContainers?.activitybar?.find((v) => v.id === ids.VIEW_CONTAINER);
  if (!container) problems.push(`activity-bar container ${ids.VIEW_CONTAINER} is not declared`);
  const views = (c.views?.[ids.VIEW_CONTAINER] ?? []).map((v) => v.id);
  for (const d of diff(views, Object.values(ids.VIEWS))) problems.push(`view ${d} is declared but not in ids.ts`);
  for (const [k, v] of Object.entries(ids.VIEWS)) {
    if (!views.includes(v)) problems.push(`view ${v} is not declared in package.json`);
    if (!new RegExp(`createTreeView\\(\\s*VIEWS\\.${k}\\b`).test(all)) problems.push(`view ${v} has no tree provider`);
  }
  const colors = (c.colors ?? []).map((x) => x.id);
  for (const d of diff(colors, Object.values(ids.COLORS))) problems.push(`colour ${d} is declared but never used`);
  for (const [k, v] of Object.entries(ids.COLORS)) {
    if (!colors.includes(v)) problems.push(`colour ${v} is not declared`);
    if (!new RegExp(`COLORS\\.${k}\\b`).test(all)) problems.push(`colour ${v} is never used`);
  }

  // Context keys in when clauses must be ones the code sets.
  const whens = [
    ...Object.values(c.menus ?? {}).flatMap((items) => items.map((i) => i.when ?? '')),
    ...(c.viewsWelcome ?? []).map((v) => v.when ?? ''),
  ];
  const known = new Set([...Object.values(ids.CONTEXT), ...Object.values(ids.VIEWS)]);
  for (const key of uniq(whens.flatMap((w) => w.match(/\blocklens\.[\w.]+/g) ?? []))) {
    if (!known.has(key)) problems.push(`when clause uses unknown context key ${key}`);
  }
  for (const [k, v] of Object.entries(ids.CONTEXT)) {
    if (!new RegExp(`setContext['"]?,\\s*CONTEXT\\.${k}\\b`).test(all)) problems.push(`context key ${v} is never set`);
  }

  // Activation and engine.
  const events = pkg.activationEvents ?? [];
  if (!events.includes(`onWebviewPanel:${ids.WEBVIEW_PANEL}`)) problems.push(`activationEvents lacks onWebviewPanel:${ids.WEBVIEW_PANEL} (panel restore)`);
  if (events.includes('*')) problems.push('activationEvents must not contain * (activation is lazy)');
  if (pkg.engines?.vscode !== '^1.90.0') problems.push(`engines.vscode is ${pkg.engines?.vscode}, expected ^1.90.0`);
  return problems;
}
