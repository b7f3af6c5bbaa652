export * from './availability.js';
export * from './commandSandbox.js';
export * from './containment.js';
export * from './environment.js';
