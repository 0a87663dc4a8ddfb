import { describe, expect, it } from "vitest";
import { appendOutput } from "./console-text";

describe("the console's text", () => {
  it("drops escape sequences and carriage returns before newlines", () => {
    expect(appendOutput("", "\x1b[1;32mguest#\x1b[0m ping\r\n64 bytes\r\n")).toBe("guest# ping\n64 bytes\n");
  });
  it("lets a backspace remove the character before it, across chunks", () => {
    expect(appendOutput(appendOutput("", "pinf"), "\b \bg")).toBe("ping");
  });
  it("keeps only the last characters of a long scrollback", () => {
    expect(appendOutput("abcdef", "gh", 4)).toBe("efgh");
  });
});
