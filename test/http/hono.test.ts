import { PROTECTED_PATH, startHono } from './support/apps.js';
import { runHttpSuite } from './support/http-suite.js';

runHttpSuite({ name: 'hono', start: startHono, protectedPath: PROTECTED_PATH });
