import fs from 'node:fs';
import path from 'node:path';
import { ValidationFailed } from '../../framework';

/** The image types an avatar may be, told by their first bytes (a browser's declared type is not trusted). */
const signatures: ReadonlyArray<{ type: string; matches: (bytes: Buffer) => boolean }> = [
  { type: 'image/png', matches: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { type: 'image/jpeg', matches: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { type: 'image/gif', matches: (b) => b.subarray(0, 6).toString('latin1') === 'GIF87a' || b.subarray(0, 6).toString('latin1') === 'GIF89a' },
  { type: 'image/webp', matches: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP' },
];

/** The MIME type of an image in `bytes`, if it is one of the accepted kinds. */
export function imageType(bytes: Buffer): string | undefined {
  return signatures.find((s) => s.matches(bytes))?.type;
}

/**
 * A user's picture: one file per user under the uploads folder, not a table. `save` checks the
 * content is an image and replaces the file whole (written aside, then renamed), so a reader never
 * sees half a picture.
 */
export class Avatar {
  private static folder: string | undefined;

  /** Where avatars are kept (`UPLOADS_DIR/avatars`); set once at start by the application. */
  static storeIn(uploadsDir: string): void {
    Avatar.folder = path.join(uploadsDir, 'avatars');
  }

  private static fileOf(userId: number): string {
    if (!Avatar.folder) throw new Error('Avatar.storeIn(uploadsDir) was not called at start.');
    return path.join(Avatar.folder, String(userId));
  }

  /** Stores `bytes` as the avatar of `userId`; anything but a PNG, JPEG, GIF or WebP image is a 422. */
  static async save(userId: number, bytes: Buffer | undefined): Promise<void> {
    if (!bytes || bytes.length === 0) throw new ValidationFailed({ avatar: ['choose an image file'] });
    if (!imageType(bytes)) throw new ValidationFailed({ avatar: ['must be a PNG, JPEG, GIF or WebP image'] });
    const file = Avatar.fileOf(userId);
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    const aside = `${file}.${process.pid}.${Date.now()}.part`;
    await fs.promises.writeFile(aside, bytes);
    await fs.promises.rename(aside, file);
  }

  /** The avatar of `userId` and its type, or undefined when there is none. */
  static async find(userId: number): Promise<{ type: string; bytes: Buffer } | undefined> {
    try {
      const bytes = await fs.promises.readFile(Avatar.fileOf(userId));
      const type = imageType(bytes);
      return type ? { type, bytes } : undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /** Removes the avatar of `userId`, if it has one. */
  static async delete(userId: number): Promise<void> {
    await fs.promises.rm(Avatar.fileOf(userId), { force: true });
  }
}
