/**
 * The messages people paste, as data: a pattern per message of each library and service, and the
 * causes of that exact message, most likely first, each with its bucket, how to confirm it and the fix.
 * Ordered most specific first: a wrapper's message (express-jwt's UnauthorizedError) comes before the
 * jsonwebtoken message it wraps.
 */
import type { MessagePattern } from './message-causes.js';
import { LIBRARY_PATTERNS } from './library-patterns.js';
import { SERVICE_PATTERNS } from './service-patterns.js';

export type { MessageCause, MessagePattern, MessageSource } from './message-causes.js';

/**
 * Every message the doctor knows. The first pattern that matches gives the main explanation; later
 * matches add their causes below it.
 *
 * @example
 * ```ts
 * MESSAGE_PATTERNS.find((entry) => entry.pattern.test('TokenExpiredError: jwt expired'))?.id; // 'jsonwebtoken-expired'
 * ```
 */
export const MESSAGE_PATTERNS: readonly MessagePattern[] = [
  ...LIBRARY_PATTERNS,
  ...SERVICE_PATTERNS,
];
