import { tessera } from '../../../lib/tessera.js';

export const { GET, HEAD, POST, DELETE, OPTIONS } = tessera.routes;
