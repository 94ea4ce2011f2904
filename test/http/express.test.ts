import { PROTECTED_PATH, startExpress } from './support/apps.js';
import { runHttpSuite } from './support/http-suite.js';

runHttpSuite({ name: 'express', start: startExpress, protectedPath: PROTECTED_PATH });
