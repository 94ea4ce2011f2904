import { PROTECTED_PATH, startFastify } from './support/apps.js';
import { runHttpSuite } from './support/http-suite.js';

runHttpSuite({ name: 'fastify', start: startFastify, protectedPath: PROTECTED_PATH });
