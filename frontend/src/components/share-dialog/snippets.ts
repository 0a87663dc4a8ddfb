/** What a blogger pastes: the permalink, an iframe of /embed, or the element itself. */

export interface Snippets { permalink: string; iframe: string; element: string }

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/"/g, "&quot;");

/** `range`: the steps (0-based, inclusive) an embed keeps its reader in, if any. */
export function snippets(
  origin: string, query: string, scenario: string, step: number, title: string,
  range: { from: number; to: number } | null = null,
): Snippets {
  const permalink = `${origin}/${query}`;
  const embed = `${origin}/embed${query}${range ? `&from=${range.from + 1}&to=${range.to + 1}` : ""}`;
  return {
    permalink,
    iframe: `<iframe src="${escape(embed)}" title="${escape(title)}" width="100%" height="560" style="border: 0" loading="lazy"></iframe>`,
    element: `<script type="module" src="${escape(origin)}/virtio-viz.js"></script>\n` +
      `<virtio-viz server="${escape(origin)}" scenario="${escape(scenario)}" step="${step}" compact style="display: block; height: 560px"></virtio-viz>`,
  };
}
