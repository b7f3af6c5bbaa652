export * from './types.js';
export { parseTasks } from './parseTasks.js';
export { parseMarkdownBlocks } from './markdown.js';
export { parseRequirements, findUnknownRequirementRefs, type Requirement, type AcceptanceCriterion, type RequirementsDoc } from './parseRequirements.js';
export { readRequirementRefs } from './requirementRefs.js';
export { readSpecFile, loadTasks, writeTaskStatus, statusEdit, contentHash, MAX_SPEC_FILE_BYTES, type SpecFile } from './taskFile.js';
export { SpecError } from './specError.js';
export { crossFileDiagnostics, workspaceOf } from './specFolder.js';
export { parentProgress, type TaskProgress } from './taskProgress.js';
