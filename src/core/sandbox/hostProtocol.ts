/** Messages between a run and its sandbox host process (sandboxHost.ts), over the IPC channel of `fork`. */

export type HostRequest =
  | { id: number; type: 'init'; bwrap?: string; socat?: string; rg?: string }
  | { id: number; type: 'wrap'; commandId: string; command: string; shell: string; cwd: string; allowWrite: string[]; denyWrite: string[]; denyRead: string[] }
  | { id: number; type: 'start'; commandId: string; allowedDomains: string[] }
  | { id: number; type: 'done'; commandId: string };

export type HostReply =
  | { id: number; ok: true; backend?: string; argv?: string[]; violations?: string[] }
  | { id: number; ok: false; error: string };

/** A request before it gets its id. */
export type NewHostRequest = HostRequest extends infer R ? (R extends HostRequest ? Omit<R, 'id'> : never) : never;
