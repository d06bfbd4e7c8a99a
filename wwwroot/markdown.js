// Renders the model's markdown safely. The model's text is untrusted, so:
// 1. raw HTML in it is shown as text, never parsed (marked's html renderer is replaced);
// 2. images are not loaded (their alt text is shown), so the text cannot make the page fetch anything;
// 3. links only keep http(s) and mailto targets, and open in a new tab without a referrer;
// 4. the HTML marked produces is still passed through DOMPurify before it reaches the DOM.
import { Marked } from './lib/marked/marked.esm.js';
import DOMPurify from './lib/dompurify/purify.es.mjs';

const escapeHtml = (text) => text
  .replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
  .replaceAll('"', '&quot;').replaceAll("'", '&#39;');

const safeHref = (href) => /^(https?:|mailto:)/i.test(href ?? '') ? href : null;

const marked = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    html: ({ text }) => escapeHtml(text),
    image: ({ text }) => `<span class="image-alt">[${escapeHtml(text || 'image')}]</span>`,
    link({ href, tokens }) {
      const label = this.parser.parseInline(tokens);
      const target = safeHref(href);
      return target
        ? `<a href="${escapeHtml(target)}" target="_blank" rel="noopener noreferrer">${label}</a>`
        : label;
    },
  },
});

DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A') node.setAttribute('rel', 'noopener noreferrer');
});

export function renderMarkdown(text) {
  return DOMPurify.sanitize(marked.parse(text), { USE_PROFILES: { html: true }, FORBID_TAGS: ['img', 'style', 'form', 'input'] });
}
