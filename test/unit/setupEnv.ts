import { inject } from 'vitest';

// Code under test forks the sandbox host; from the sources it finds the bundle globalSetup built through this.
process.env.SPEC_AGENT_SANDBOX_HOST = inject('sandboxHost');
