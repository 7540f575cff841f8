// The platform API contract: schemas of every wire shape, and the endpoints that carry them.
export * from './conventions.js'
export * from './resources.js'
export * from './ci-trust.js'
export * from './endpoints.js'
export * from './credentials.js'
export * from './privacy.js'
