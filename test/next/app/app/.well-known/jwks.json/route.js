import { tessera } from '../../../lib/tessera.js';

// The keyring's public keys, for the Web Crypto verifier of the edge page (lib/tessera-edge.js).
export const { GET, HEAD } = tessera.routes;
