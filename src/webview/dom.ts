/**
 * Tiny DOM builder. Everything that comes from analysed code, mails or file names is set with
 * `textContent` / `setAttribute` on a fixed set of safe attributes, never parsed as HTML, so a
 * hostile lock name or commit subject renders as inert text.
 */
type Child = Node | string | number | null | undefined | false;

export interface Attrs {
  class?: string;
  title?: string;
  id?: string;
  type?: string;
  role?: string;
  /** Only `file://` links built by the report; anything else is dropped. */
  href?: string;
  disabled?: boolean;
  value?: string;
  ariaLabel?: string;
  ariaSelected?: boolean;
  data?: Record<string, string>;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    if (attrs.class) el.className = attrs.class;
    if (attrs.title) el.title = attrs.title;
    if (attrs.id) el.id = attrs.id;
    if (attrs.type) el.setAttribute('type', attrs.type);
    if (attrs.role) el.setAttribute('role', attrs.role);
    if (attrs.href && /^file:\/\//.test(attrs.href)) el.setAttribute('href', attrs.href);
    if (attrs.disabled) el.setAttribute('disabled', '');
    if (attrs.value !== undefined) (el as HTMLInputElement).value = attrs.value;
    if (attrs.ariaLabel) el.setAttribute('aria-label', attrs.ariaLabel);
    if (attrs.ariaSelected !== undefined) el.setAttribute('aria-selected', String(attrs.ariaSelected));
    if (attrs.data) for (const [k, v] of Object.entries(attrs.data)) el.dataset[k] = v;
  }
  append(el, ...children);
  return el;
}

export function append(el: Element, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

export function clear(el: Element): void {
  el.replaceChildren();
}

export function button(label: string, onClick: () => void, attrs: Attrs = {}): HTMLButtonElement {
  const b = h('button', { type: 'button', ...attrs }, label);
  b.addEventListener('click', onClick);
  return b;
}

/** `file:line` as shown everywhere. */
export function loc(file: string, line: number): string {
  return line > 0 ? `${file}:${line}` : file;
}
