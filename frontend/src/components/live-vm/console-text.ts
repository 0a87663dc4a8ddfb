/**
 * The guest's serial console as text: what a terminal would show of the bytes Linux and
 * busybox write. Escape sequences (colours, cursor moves, the shell's line editing) are
 * dropped, a carriage return before a newline is dropped, and a backspace removes the
 * character before it. The scrollback keeps the last `limit` characters.
 */
const ESCAPE = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78cDEHM]/g;
export const SCROLLBACK = 64 * 1024;

export function appendOutput(shown: string, chunk: string, limit: number = SCROLLBACK): string {
  let text = shown;
  for (const ch of chunk.replace(ESCAPE, "").replace(/\r+\n/g, "\n")) {
    if (ch === "\b") text = text.slice(0, -1);
    else if (ch === "\r" || ch === "\x07") continue;
    else text += ch;
  }
  return text.length > limit ? text.slice(text.length - limit) : text;
}
