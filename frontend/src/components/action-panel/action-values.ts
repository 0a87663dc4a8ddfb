/** Reading a reader's action parameters from form text, checked like the server checks them. */
import type { ActionParam, ActionSpec } from "../../protocol";

export type ParamValue = number | string | boolean;

/** An integer written in decimal or hex (0x...), or an error message. */
export function parseInteger(text: string): number | string {
  const t = text.trim().replace(/_/g, "");
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(t)) return "expected a number (decimal or 0x hex)";
  const value = Number(t);
  return Number.isSafeInteger(value) ? value : "too large for this page";
}

/** The value of one parameter from its field, or an error message for the reader. */
export function paramValue(param: ActionParam, raw: string | boolean): { value?: ParamValue; error?: string } {
  if (param.kind === "bool") return { value: raw === true };
  const text = String(raw);
  if (param.kind === "int") {
    if (text.trim() === "" && typeof param.default === "number") return { value: param.default };
    const parsed = parseInteger(text);
    if (typeof parsed === "string") return { error: `${param.label}: ${parsed}` };
    if (param.minimum !== null && parsed < param.minimum) return { error: `${param.label}: at least ${param.minimum}` };
    if (param.maximum !== null && parsed > param.maximum) return { error: `${param.label}: at most ${param.maximum}` };
    return { value: parsed };
  }
  if (param.kind === "choice" && param.choices.length && !param.choices.includes(text)) {
    return { error: `${param.label}: one of ${param.choices.join(", ")}` };
  }
  return { value: text };
}

/** What an action's button sends when none of its fields was touched (a list shows its
 * default, or else its first choice), or null when a field starts empty or wrong. */
export function untouchedRequest(spec: ActionSpec): { kind: string; params: Record<string, ParamValue> } | null {
  const params: Record<string, ParamValue> = {};
  for (const p of spec.params) {
    const raw = p.kind === "bool" ? p.default === true
      : p.kind === "choice" ? String(p.default ?? p.choices[0] ?? "")
      : p.default === null || p.default === undefined ? "" : String(p.default);
    const { value, error } = paramValue(p, raw);
    if (error !== undefined || value === undefined) return null;
    params[p.name] = value;
  }
  return { kind: spec.kind, params };
}
