/**
 * Who may talk to main over IPC. Every handler asks `checkIpc` first: the message must come from the
 * studio window's main frame, showing a page of the engine that is running now, on a channel the
 * preload exposes. Anything else (an iframe, a page that got navigated elsewhere, an old engine's
 * page during a restart, a made-up channel) is refused.
 */
import { INVOKE_CHANNELS } from './ipc-channels.js';

/** What main knows about the sender of one message, taken from the Electron event by `ipcSenderOf`. */
export interface IpcSender {
  /** The URL of the frame that sent it; null once that frame is gone. */
  frameUrl: string | null;
  isMainFrame: boolean;
  /** Whether the sending web contents is the studio window's (not a devtools page or a stray window). */
  fromStudioWindow: boolean;
}

export type IpcVerdict = { allowed: true } | { allowed: false; reason: string };

/** The parts of Electron's `IpcMainInvokeEvent` the check reads. */
export interface IpcEventLike {
  sender: unknown;
  senderFrame: { url: string; parent: unknown } | null;
}

export function ipcSenderOf(event: IpcEventLike, isStudioContents: (sender: unknown) => boolean): IpcSender {
  const frame = event.senderFrame;
  return {
    frameUrl: frame?.url ?? null,
    isMainFrame: frame !== null && frame.parent === null,
    fromStudioWindow: isStudioContents(event.sender),
  };
}

export function checkIpc(
  channel: string,
  sender: IpcSender,
  engineOrigin: string | null,
  allowList: readonly string[] = INVOKE_CHANNELS,
): IpcVerdict {
  if (!allowList.includes(channel)) return deny(`unknown channel ${JSON.stringify(channel)}`);
  if (!sender.fromStudioWindow) return deny(`${channel}: the sender is not the studio window`);
  if (!sender.isMainFrame) return deny(`${channel}: the sender is not the main frame`);
  if (engineOrigin === null) return deny(`${channel}: the engine is not running`);
  const origin = originOf(sender.frameUrl);
  // file:, data: and about: pages all have the opaque origin "null", which never equals an http origin.
  if (origin !== engineOrigin)
    return deny(`${channel}: the sender's origin ${origin ?? 'unknown'} is not the engine's`);
  return { allowed: true };
}

/** The origin of a URL, or null when there is none to read. */
export function originOf(url: string | null): string | null {
  if (url === null) return null;
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

function deny(reason: string): IpcVerdict {
  return { allowed: false, reason };
}
