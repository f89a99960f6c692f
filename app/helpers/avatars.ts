import { escapeHtml } from '../../framework';

/** `<img>` of a user's avatar (or the placeholder the avatar URL serves when there is none), for views. */
export function avatarTag(user: { id: number; name: string }, options: { size?: number } = {}): string {
  const size = options.size ?? 48;
  return `<img class="avatar" src="/users/${user.id}/avatar" width="${size}" height="${size}" alt="${escapeHtml(user.name)}">`;
}
