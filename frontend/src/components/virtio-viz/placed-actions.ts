/**
 * The reader's actions (the fork of a story) as short text, for addresses and attributes:
 * `200:send_frame:frame=icmp_echo` is "send a frame, after step 200" (1-based, as the
 * reader sees steps; 0 is "before the story starts"). Numbers and true/false are written
 * bare; a text value that could be read as something else is written as a JSON string.
 */

export type ActionValue = number | string | boolean;
export interface PlacedAction { at: number; kind: string; params: Record<string, ActionValue> }

const PLAIN = /^[A-Za-z0-9_.+/-]+$/;

function valueText(value: ActionValue): string {
  if (typeof value !== "string") return String(value);
  const ambiguous = !PLAIN.test(value) || value === "true" || value === "false" || /^-?\d+$/.test(value);
  return ambiguous ? JSON.stringify(value) : value;
}

function readValue(text: string): ActionValue {
  if (text.startsWith('"')) return JSON.parse(text) as string;
  if (text === "true" || text === "false") return text === "true";
  if (/^-?\d+$/.test(text)) return Number(text);
  return text;
}

export function actionText(action: PlacedAction): string {
  const params = Object.entries(action.params).map(([name, value]) => `:${name}=${valueText(value)}`);
  return `${action.at + 1}:${action.kind}${params.join("")}`;
}

/** Split at `separator`, except inside JSON strings. */
function split(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = "", quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === "\\") { current += c + (text[++i] ?? ""); continue; }
    if (c === '"') quoted = !quoted;
    if (c === separator && !quoted) { parts.push(current); current = ""; } else current += c;
  }
  parts.push(current);
  return parts;
}

/** One action from its text, or null when the text is not one. */
export function readAction(text: string): PlacedAction | null {
  const [at, kind, ...params] = split(text.trim(), ":");
  const step = Number(at);
  if (!Number.isInteger(step) || step < 0 || !kind || !/^[A-Za-z0-9_-]+$/.test(kind)) return null;
  const out: PlacedAction = { at: step - 1, kind, params: {} };
  for (const param of params) {
    const equals = param.indexOf("=");
    if (equals <= 0) return null;
    try { out.params[param.slice(0, equals)] = readValue(param.slice(equals + 1)); } catch { return null; }
  }
  return out;
}

/** Several actions, separated by spaces (an element's `actions` attribute). */
export function actionsText(actions: PlacedAction[]): string {
  return actions.map(actionText).join(" ");
}

export function readActions(text: string | null): PlacedAction[] {
  if (!text) return [];
  return split(text, " ").filter((t) => t.trim()).map(readAction).filter((a): a is PlacedAction => a !== null);
}

/** The actions a timeline header lists (`{at, kind, params}` from the server). */
export function placedActions(list: unknown[]): PlacedAction[] {
  return list.filter((a): a is PlacedAction => typeof a === "object" && a !== null && "kind" in a && "at" in a)
    .map((a) => ({ at: a.at, kind: a.kind, params: { ...(a.params ?? {}) } }));
}
