#!/usr/bin/env -S node --import tsx --no-warnings
// Runs the TypeScript sources directly (oclif development mode): no build step, no manifest.
import { execute } from '@oclif/core'

await execute({ development: true, dir: import.meta.url })
