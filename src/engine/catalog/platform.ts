/**
 * Platform-specific backend files (BSD, Windows, ...). An ops-table call resolves soundly to
 * every implementation, including backends that never run on the platform under review;
 * witnesses through these files are ranked last so a Linux review sees its own backend's
 * chain first. Users exclude such files entirely with the `exclude` config (docs/rules.md).
 */
export const PLATFORM_FILE_PATTERNS: readonly RegExp[] = [/-bsd\.c$/, /-freebsd\.c$/, /-windows\.c$/, /windows/i];

export function isPlatformFile(file: string): boolean {
  return PLATFORM_FILE_PATTERNS.some((re) => re.test(file));
}
