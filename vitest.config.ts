import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Image builds and host processes are shared through build/; keep files serial
    // so two suites never race on the same cache entry.
    fileParallelism: false,
  },
});
