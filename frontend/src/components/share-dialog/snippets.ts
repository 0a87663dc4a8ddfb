/** What a blogger pastes: the permalink, an iframe of /embed, or the element itself. */

/** `live`: the element opens a websocket session (the server must allow the site's origin). */
export interface Snippets { permalink: string; iframe: string; element: string; live: boolean }

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/"/g, "&quot;");

/** `range`: the steps (0-based, inclusive) an embed keeps its reader in, if any; `src`: a
 * trace on this server (a shipped recording) that the element replays instead of a scenario;
 * `actions`: the reader's fork of the scenario (placed-actions text), which the query carries too. */
export function snippets(
  origin: string, query: string, scenario: string, step: number, title: string,
  range: { from: number; to: number } | null = null, src: string | null = null, actions = "",
): Snippets {
  const forked = actions ? ` actions="${escape(actions)}"` : "";
  const what = src ? `src="${escape(origin + src)}"` : `server="${escape(origin)}" scenario="${escape(scenario)}"${forked}`;
  const permalink = `${origin}/${query}`;
  const embed = `${origin}/embed${query}${range ? `&from=${range.from + 1}&to=${range.to + 1}` : ""}`;
  return {
    live: src === null,
    permalink,
    iframe: `<iframe src="${escape(embed)}" title="${escape(title)}" width="100%" height="560" style="border: 0" loading="lazy"></iframe>`,
    element: `<script type="module" src="${escape(origin)}/virtio-viz.js"></script>\n` +
      `<virtio-viz ${what} step="${step}" compact style="display: block; height: 560px"></virtio-viz>`,
  };
}
