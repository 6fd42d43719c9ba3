// Types of tools/build-tools.mjs, for the tests that build the loader.
export declare const LOADER: string;
export declare function buildTools(): Promise<void>;
export declare function buildLoader(): Promise<void>;
