import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // oclif commands print through console; vitest must not swallow it (captureOutput needs the real streams).
    disableConsoleIntercept: true,
    testTimeout: 20_000,
    hookTimeout: 30_000,
    globalSetup: ['test/support/global-setup.ts'],
    env: { CLOWDOPS_SKIP_NEW_VERSION_CHECK: 'true', NO_COLOR: '1' },
  },
})
