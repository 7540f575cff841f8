import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // e2e helpers and the platform print through the real streams; vitest must not swallow them.
    disableConsoleIntercept: true,
    testTimeout: 20_000,
    hookTimeout: 30_000,
    globalSetup: ['test/support/global-setup.ts'],
    env: { CLOWDOPS_SKIP_NEW_VERSION_CHECK: 'true', NO_COLOR: '1' },
  },
})
