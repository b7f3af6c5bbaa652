/**
 * npm's (and pnpm's, yarn's) options that take the next word as their value, before the command: `npm --tag beta
 * publish`, `npm --otp 123 run deploy`. The forbidden match (C5: publish), the sensitive checks (C6: which script
 * runs) and the code it runs (C4: `npm exec -- cmd`) skip them alike, so a value is never the command for one and
 * an option for another.
 */
export const NPM_OPTIONS_WITH_VALUE: ReadonlySet<string> = new Set(['--registry', '--prefix', '-C', '--workspace', '-w', '--loglevel', '--userconfig', '--globalconfig', '--cache', '--tag', '--access', '--otp', '--filter', '--dir', '--cwd']);
