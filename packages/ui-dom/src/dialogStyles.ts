/**
 * The consent dialog's stylesheet, scoped to its shadow root. Every colour, size and font
 * comes from a `--beckon-*` custom property with a default; custom properties inherit
 * through the shadow boundary, so a page themes the dialog from its own CSS (e.g. on
 * `:root`) while no other page rule reaches inside, and none of these rules reach out.
 *
 * @example
 * const style = document.createElement('style');
 * style.textContent = dialogStyles;
 * shadowRoot.append(style);
 */
export const dialogStyles = `
:host {
  all: initial !important;
  --_bg: var(--beckon-bg, #ffffff);
  --_fg: var(--beckon-fg, #1b1f24);
  --_muted: var(--beckon-muted, #57606a);
  --_accent: var(--beckon-accent, #2563eb);
  --_accent-fg: var(--beckon-accent-fg, #ffffff);
  --_border: var(--beckon-border, #d0d7de);
  --_radius: var(--beckon-radius, 14px);
  --_font: var(--beckon-font, system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif);
  --_font-size: var(--beckon-font-size, 16px);
  --_backdrop: var(--beckon-backdrop, rgba(15, 23, 42, 0.55));
  --_focus: var(--beckon-focus-ring, var(--_accent));
  --_shadow: var(--beckon-shadow, 0 24px 48px -12px rgba(15, 23, 42, 0.35));
  --_width: var(--beckon-width, 28rem);
  --_z: var(--beckon-z-index, 2147483647);
}
@media (prefers-color-scheme: dark) {
  :host {
    --_bg: var(--beckon-bg, #1c2128);
    --_fg: var(--beckon-fg, #e6edf3);
    --_muted: var(--beckon-muted, #9da7b3);
    --_accent: var(--beckon-accent, #4c8dff);
    --_accent-fg: var(--beckon-accent-fg, #0b1220);
    --_border: var(--beckon-border, #3d444d);
  }
}
dialog {
  box-sizing: border-box;
  width: min(var(--_width), calc(100vw - 2rem));
  max-height: calc(100vh - 2rem);
  overflow: auto;
  margin: auto;
  padding: 1.5rem;
  border: 1px solid var(--_border);
  border-radius: var(--_radius);
  background: var(--_bg);
  color: var(--_fg);
  box-shadow: var(--_shadow);
  font-family: var(--_font);
  font-size: var(--_font-size);
  line-height: 1.5;
  text-align: start;
  z-index: var(--_z);
}
dialog::backdrop {
  background: var(--beckon-backdrop, rgba(15, 23, 42, 0.55));
}
dialog:not([open]) {
  display: none;
}
.icon {
  display: flex;
  align-items: center;
  justify-content: center;
  width: 2.75rem;
  height: 2.75rem;
  margin: 0 0 1rem;
  border-radius: 999px;
  background: color-mix(in srgb, var(--_accent) 14%, transparent);
  color: var(--_accent);
}
.icon svg {
  width: 1.5rem;
  height: 1.5rem;
}
h2 {
  margin: 0 0 0.5rem;
  font-size: 1.25em;
  font-weight: 650;
  line-height: 1.3;
}
p {
  margin: 0 0 0.75rem;
}
.key {
  color: var(--_muted);
  font-size: 0.875em;
}
.key code {
  padding: 0.1em 0.4em;
  border: 1px solid var(--_border);
  border-radius: 6px;
  color: var(--_fg);
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  word-break: break-all;
}
a {
  color: var(--_accent);
  font-size: 0.875em;
  text-underline-offset: 2px;
}
.sr-only {
  position: absolute;
  width: 1px;
  height: 1px;
  overflow: hidden;
  clip-path: inset(50%);
  white-space: nowrap;
}
.actions {
  display: flex;
  flex-wrap: wrap;
  justify-content: flex-end;
  gap: 0.75rem;
  margin-top: 1.5rem;
}
button {
  min-width: 6.5rem;
  padding: 0.6rem 1.1rem;
  border: 1px solid var(--_border);
  border-radius: calc(var(--_radius) * 0.6);
  background: transparent;
  color: var(--_fg);
  font: inherit;
  font-weight: 600;
  cursor: pointer;
}
button.accept {
  border-color: var(--_accent);
  background: var(--_accent);
  color: var(--_accent-fg);
}
button:hover {
  filter: brightness(0.96);
}
button:disabled {
  cursor: default;
  opacity: 0.6;
}
a:focus-visible,
button:focus-visible {
  outline: 3px solid var(--_focus);
  outline-offset: 2px;
}
@media (prefers-reduced-motion: no-preference) {
  dialog[open] {
    animation: beckon-in 160ms ease-out;
  }
  @keyframes beckon-in {
    from {
      opacity: 0;
      transform: translateY(8px) scale(0.98);
    }
  }
}
`;
