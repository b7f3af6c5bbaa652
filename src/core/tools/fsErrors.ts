/** A file-system failure in words the model can act on, or undefined for one it cannot do anything about. */
export function describeFsError(rel: string, err: unknown): string | undefined {
  switch ((err as NodeJS.ErrnoException | undefined)?.code) {
    case 'ENOENT':
      return `${rel}: no such file`;
    case 'EISDIR':
      return `${rel} is a folder`;
    case 'ENOTDIR':
      return `${rel}: a part of this path is a file, not a folder`;
    case 'EACCES':
    case 'EPERM':
      return `${rel}: permission denied`;
    case 'EEXIST':
      return `${rel}: a part of this path already exists as a file`;
    case 'EROFS':
      return `${rel}: the file system is read-only`;
    case 'ENOSPC':
      return `${rel}: no space left on the disk`;
    case 'ENAMETOOLONG':
      return `${rel}: the name is too long`;
    default:
      return undefined;
  }
}
