export { openGitStore, privateStoreDir, type GitStore } from './gitStore.js';
export { snapshot, changes, fileAt, MAX_UNTRACKED_BYTES, type Snapshot, type TreeChange } from './snapshot.js';
export { restorePaths, type RestoreResult } from './restore.js';
export { DispositionError, RunCheckpoints, type BackgroundSpan, type RunDecision, type RunManifest, type Conflict, type DiscardResult } from './runCheckpoints.js';
export { createCheckpoint, listCheckpoints, resolveCheckpoint, diffCheckpoint, restoreCheckpoint, pruneCheckpoints, removeRunSnapshots, type CheckpointInfo } from './checkpoints.js';
export { ChainCheckpoints, MixedChainError, type ChainDiscardResult, type ChainUndoResult } from './chainCheckpoints.js';
