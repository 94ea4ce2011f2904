// Once, at the upgrade: the old users table as `tessera users import` reads it (id,email,hash).
// Their bcrypt hashes sign in as they are and become argon2id at each user's first sign-in.
import { join } from 'node:path';
import process from 'node:process';
import Database from 'better-sqlite3';

const db = new Database(join(process.env.DATA_DIR ?? '.', 'app.db'), { readonly: true });
const quote = (field) => `"${String(field).replaceAll('"', '""')}"`;
const rows = db.prepare('SELECT id, email, password_hash FROM users ORDER BY id').all();
const lines = rows.map((row) => [row.id, row.email, row.password_hash].map(quote).join(','));
process.stdout.write(['id,email,hash', ...lines, ''].join('\n'));
