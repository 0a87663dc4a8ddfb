/** Where a page stands towards a room, and what a lecture command changes in it. */
import type { LectureCommand } from "./lecture-bar";

export interface RoomState {
  room: string | null;
  /** the presenter's own token (a follower has none) */
  token: string | null;
  joinUrl: string | null;
  /** the room a follower stepped away from, to follow it again */
  detachedFrom: string | null;
}

/** Present opens a room on the server (null: it could not); detach leaves the room, and
 * follow goes back to the one left. */
export async function roomAfter(command: LectureCommand, now: RoomState, server: string): Promise<RoomState | null> {
  if (command === "detach") return { ...now, room: null, token: null, detachedFrom: now.room };
  if (command === "follow") return { ...now, room: now.detachedFrom, detachedFrom: null };
  const reply = await fetch(new URL("/api/rooms", server), { method: "POST" });
  if (!reply.ok) return null;
  const room = (await reply.json()) as { code: string; join_url: string; presenter_token: string };
  return { ...now, room: room.code, token: room.presenter_token, joinUrl: room.join_url };
}
