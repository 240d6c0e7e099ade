// The `tsflyte` package: the SDK users import in their workflow files.
export * from "./sdk/index.js";
