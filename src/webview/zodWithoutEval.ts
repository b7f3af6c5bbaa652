import { z } from 'zod';

// zod compiles fast parsers with `new Function` when it may; the webview's CSP forbids eval, and zod's probe for
// it is itself reported as a CSP violation. Imported first by main.ts so no schema has parsed anything before.
z.config({ jitless: true });
