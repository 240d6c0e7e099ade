// The engine (Flyte propeller's role): drives executions admin holds, runs their tasks through plugins, and
// reports every workflow, node and task event back to admin.
export { type EngineOptions, type RunningEngine, startEngine } from "./engine.js";
export { readEngineSettings } from "./settings.js";
export { LocalProcessPlugin, type LocalProcessPluginOptions } from "./plugins/local-process.js";
export { type AttemptStatus, PluginStartError, type TaskAttempt, type TaskPlugin } from "./plugins/plugin.js";
