/** The page's header: the scenario menu, the lecture's state, the panel toggles, the tools. */
import { html, nothing } from "lit";
import type { TimelineStore } from "../../store/store";
import { picker, type MenuChoice, type MenuEntry, type RecordingEntry } from "./picker";
import type { PanelId } from "./panels";

export interface HeadInput {
  store: TimelineStore;
  /** the scenario menu, when this page may switch (not for a dropped file) */
  menu: { scenarios: MenuEntry[]; recordings: RecordingEntry[]; current: string } | null;
  toggles: { id: PanelId; title: string; key: string; open: boolean }[];
  room: string | null;
  detachedFrom: string | null;
  /** a follower pressed a key: say why nothing moved */
  followHint: boolean;
  theme: string | null;
  shareable: boolean;
  pick(choice: MenuChoice): void;
  toggle(id: PanelId): void;
  lecture(command: "detach" | "follow"): void;
  switchTheme(): void;
  share(): void;
  help(): void;
}

function lectureStatus(h: HeadInput) {
  const role = h.store.role;
  // how the room is doing (with --redis: it reaches only this server's screens for now)
  const notice = h.store.notice && role !== "solo" ? html`<span class="room-notice" role="status">${h.store.notice}</span>` : nothing;
  if (role === "follower") {
    return html`<span class="room" role="status">following the presenter${h.room ? ` (room ${h.room})` : ""}
      ${h.followHint ? html`<b>The presenter moves this page.</b>` : nothing}
      <button @click=${() => h.lecture("detach")}>explore on my own</button></span>${notice}`;
  }
  if (h.detachedFrom) {
    return html`<span class="room">You left room ${h.detachedFrom}. <button @click=${() => h.lecture("follow")}>follow the presenter again</button></span>`;
  }
  return role === "presenter" ? html`<span class="room">presenting${h.room ? ` to room ${h.room}` : ""}</span>${notice}` : nothing;
}

export function pageHeader(h: HeadInput) {
  const s = h.store, header = s.header!;
  return html`<header>
    <h1>virtio-viz</h1>
    ${h.menu ? picker(h.menu.scenarios, h.menu.recordings, h.menu.current, h.pick) : html`<strong class="title">${header.scenario.title}</strong>`}
    ${lectureStatus(h)}
    <nav class="toggles" aria-label="panels">${h.toggles.map((t) => html`<button aria-pressed=${t.open}
      title="${t.title} (${t.key.toUpperCase()})" @click=${() => h.toggle(t.id)}>${t.title}</button>`)}</nav>
    <span class="grow"></span>
    ${s.error ? html`<span class="error" role="status">${s.error}</span>` : nothing}
    <button aria-label="switch theme" @click=${h.switchTheme}>${h.theme === "light" ? "dark" : "light"}</button>
    ${h.shareable ? html`<button aria-label="share or embed" @click=${h.share}>share</button>` : nothing}
    <button aria-label="keyboard help" @click=${h.help}>?</button>
  </header>`;
}
