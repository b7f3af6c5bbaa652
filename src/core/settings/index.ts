export * from './schema.js';
export * from './loadSettings.js';
export * from './editSettings.js';
export * from './acceptance.js';
