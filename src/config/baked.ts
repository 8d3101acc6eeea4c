import type { Baked } from "./config.ts";

// build.mjs writes `var __ENTRYPOINT_BAKED__ = {…};` as one line at the top of the bundle and
// `entrypoint install` rewrites that one line in its copy.
declare const __ENTRYPOINT_BAKED__: Baked | undefined;
declare const __ENTRYPOINT_VERSION__: string | undefined;

export const BAKED: Baked = typeof __ENTRYPOINT_BAKED__ === "undefined" ? {} : __ENTRYPOINT_BAKED__;
export const VERSION: string = typeof __ENTRYPOINT_VERSION__ === "undefined" ? "dev" : __ENTRYPOINT_VERSION__;

export const BAKED_LINE = /^var __ENTRYPOINT_BAKED__ = .*;$/m;
export const bakedLine = (baked: Baked) => `var __ENTRYPOINT_BAKED__ = ${JSON.stringify(baked)};`;
