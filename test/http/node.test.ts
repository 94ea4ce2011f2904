import { startNode } from './support/apps.js';
import { runHttpSuite } from './support/http-suite.js';

runHttpSuite({ name: 'node', start: startNode });
