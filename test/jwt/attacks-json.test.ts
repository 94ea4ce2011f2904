// Payload JSON attacks: duplicate names, invalid UTF-8 and payloads that are not objects. Tokens are
// signed with the real key, so the rule under test is the only thing that can refuse them.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  NOW_S,
  b64u,
  claimsAt,
  createFixture,
  forge,
  headerFor,
  rawSign,
  segment,
  type Fixture,
  BACKENDS,
  expectRefusal,
  type BackendName,
} from '../support/forge.js';

// The whole corpus runs on both crypto backends: node:crypto and Web Crypto must refuse alike.
describe.each(BACKENDS)('%s backend', (backend) => {
  let ed: Fixture<BackendName>;

  beforeAll(async () => {
    ed = await createFixture('EdDSA', { backend });
  });

  const signInput = (input: string): Buffer => rawSign('EdDSA', ed.key.privateKey, input);

  describe('duplicate names, UTF-8 and payload shape', () => {
    const headerText = (): string => segment(headerFor(ed.key));

    it('refuses a payload that names exp twice', async () => {
      const text = JSON.stringify(claimsAt(NOW_S)).replace('}', `,"exp":${NOW_S + 86_400 * 365}}`);
      await expectRefusal(ed.verifier, forge(headerText(), b64u(text), signInput), 'CLAIM_INVALID');
    });

    it('refuses a payload that names sub twice, one escaped', async () => {
      const text = JSON.stringify(claimsAt(NOW_S)).replace('}', ',"\\u0073ub":"admin"}');
      await expectRefusal(ed.verifier, forge(headerText(), b64u(text), signInput), 'CLAIM_INVALID');
    });

    it('refuses a duplicate name inside a nested object', async () => {
      const text = JSON.stringify(claimsAt(NOW_S)).replace(
        '}',
        ',"ext":{"role":"user","role":"admin"}}',
      );
      await expectRefusal(ed.verifier, forge(headerText(), b64u(text), signInput), 'CLAIM_INVALID');
    });

    it('accepts the same name in sibling objects (control for the duplicate rule)', async () => {
      const text = JSON.stringify(claimsAt(NOW_S)).replace(
        '}',
        ',"ext":[{"role":"a"},{"role":"b"}]}',
      );
      expect((await ed.verifier.verify(forge(headerText(), b64u(text), signInput))).ext).toEqual([
        { role: 'a' },
        { role: 'b' },
      ]);
    });

    it('refuses a payload with an overlong UTF-8 sequence', async () => {
      const bytes = Buffer.concat([
        Buffer.from(JSON.stringify(claimsAt(NOW_S)).slice(0, -1)),
        Buffer.from(',"x":"'),
        Buffer.of(0xc0, 0xaf),
        Buffer.from('"}'),
      ]);
      await expectRefusal(
        ed.verifier,
        forge(headerText(), b64u(bytes), signInput),
        'CLAIM_INVALID',
      );
    });

    it('refuses a payload with a UTF-8 encoded surrogate', async () => {
      const bytes = Buffer.concat([
        Buffer.from(JSON.stringify(claimsAt(NOW_S)).slice(0, -1)),
        Buffer.from(',"x":"'),
        Buffer.of(0xed, 0xa0, 0x80),
        Buffer.from('"}'),
      ]);
      await expectRefusal(
        ed.verifier,
        forge(headerText(), b64u(bytes), signInput),
        'CLAIM_INVALID',
      );
    });

    it('refuses a payload starting with a byte-order mark', async () => {
      const bytes = Buffer.concat([
        Buffer.of(0xef, 0xbb, 0xbf),
        Buffer.from(JSON.stringify(claimsAt(NOW_S))),
      ]);
      await expectRefusal(
        ed.verifier,
        forge(headerText(), b64u(bytes), signInput),
        'CLAIM_INVALID',
      );
    });

    it.each(['[]', `[${JSON.stringify(claimsAt(NOW_S))}]`, '"user-1"', '42', 'null', 'true', ''])(
      'refuses the non-object payload %j',
      async (text) => {
        await expectRefusal(
          ed.verifier,
          forge(headerText(), b64u(text), signInput),
          'CLAIM_INVALID',
        );
      },
    );
  });
});
