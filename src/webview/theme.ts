/**
 * Colours for canvas-drawn widgets (cytoscape, chart.js), which cannot use CSS variables
 * directly: read the resolved `--ll-*` custom properties from styles.css, which map VS Code's
 * theme variables with light/dark fallbacks for the standalone report.
 */
export interface Theme {
  fg: string;
  muted: string;
  bg: string;
  border: string;
  accent: string;
  added: string;
  removed: string;
  cycle: string;
  contention: string;
  node: string;
  nodeRcu: string;
  nodeOther: string;
  font: string;
  palette: string[];
}

function v(style: CSSStyleDeclaration, name: string, fallback: string): string {
  const s = style.getPropertyValue(name).trim();
  return s || fallback;
}

export function readTheme(): Theme {
  const s = getComputedStyle(document.body);
  return {
    fg: v(s, '--ll-fg', '#1f1f1f'),
    muted: v(s, '--ll-muted', '#6b6b6b'),
    bg: v(s, '--ll-bg', '#ffffff'),
    border: v(s, '--ll-border', '#c8c8c8'),
    accent: v(s, '--ll-accent', '#0066b8'),
    added: v(s, '--ll-added', '#2e7d32'),
    removed: v(s, '--ll-removed', '#d32f2f'),
    cycle: v(s, '--ll-cycle', '#c2185b'),
    contention: v(s, '--ll-contention', '#e65100'),
    node: v(s, '--ll-node', '#5c7cba'),
    nodeRcu: v(s, '--ll-node-rcu', '#3d9a8b'),
    nodeOther: v(s, '--ll-node-other', '#9e9e9e'),
    font: v(s, '--ll-font', 'system-ui, sans-serif'),
    palette: [1, 2, 3, 4, 5, 6].map((i) => v(s, `--ll-series-${i}`, ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#17becf'][i - 1])),
  };
}

/** Calls `onChange` when VS Code switches theme (it rewrites the body class). */
export function watchTheme(onChange: () => void): void {
  new MutationObserver(onChange).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  window.matchMedia?.('(prefers-color-scheme: dark)').addEventListener?.('change', onChange);
}
