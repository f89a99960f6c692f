import { avatarTag } from './avatars';

/** The application's own view helpers, given to every view next to the framework's (`url`, `formatDate`, …). */
export const viewHelpers = { avatarTag };
