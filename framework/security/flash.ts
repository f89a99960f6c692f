import type { Request } from 'express';
import type {} from 'express-session';

export type FlashType = 'notice' | 'alert';
export type FlashMessages = Partial<Record<FlashType, string>>;

declare module 'express-session' {
  interface SessionData {
    flash?: FlashMessages;
  }
}

/** Keeps a message in the session until the next page is rendered. */
export function setFlash(request: Request, type: FlashType, message: string): void {
  if (!request.session) throw new Error('Flash messages need sessions: createApp({ session }) enables them.');
  (request.session.flash ??= {})[type] = message;
}

/** The messages waiting for this page, removed from the session so they are shown once. */
export function takeFlash(request: Request): FlashMessages {
  const session = request.session;
  const messages = session?.flash;
  if (!messages) return {};
  delete session.flash;
  return messages;
}
